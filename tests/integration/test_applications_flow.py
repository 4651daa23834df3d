"""Applications through the local gateway: prefill, photo upload by presigned POST to the emulated S3, the S3
event check (magic bytes, decode, EXIF location removed), submit, internal verification, staff decisions,
certificate PDF, e-mail notifications, card-reader visits, QR hand-off and proxy input."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import requests
from PIL import Image
from pypdf import PdfReader

from infra import catalogue
from infra.local import s3_events

pytestmark = pytest.mark.xdist_group("applications")

KODOMO = {
    "child_name": "市民 太郎",
    "child_date_of_birth": "2020-05-05",
    "insurance_type": "kokuho",
}


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (34.0, 57.0, 55.0)
    gps[3], gps[4] = "E", (136.0, 37.0, 28.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


class Api:
    def __init__(self, url: str, auth_header: Callable[[str], dict[str, str]]) -> None:
        self.url, self.auth_header = url, auth_header

    def call(self, method: str, path: str, user: str | None, body: Any = None, **headers: str) -> requests.Response:
        all_headers = {**(self.auth_header(user) if user else {}), **headers}
        return requests.request(method, f"{self.url}{path}", json=body, headers=all_headers, timeout=30)

    def ok(self, method: str, path: str, user: str | None, body: Any = None, **headers: str) -> dict[str, Any]:
        response = self.call(method, path, user, body, **headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def upload(
        self,
        application_id: str,
        user: str,
        data: bytes,
        content_type: str = "image/jpeg",
        kind: str = "insurance_card",
    ) -> dict[str, Any]:
        ticket = self.ok(
            "POST", f"/applications/{application_id}/attachments", user, {"kind": kind, "content_type": content_type}
        )
        posted = requests.post(
            ticket["url"], data=ticket["fields"], files={"file": ("photo", data, content_type)}, timeout=30
        )
        assert posted.status_code in (200, 204), posted.text
        s3_events.drain()
        return ticket


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


def test_form_is_data_and_translated(api: Api):
    ja = api.ok("GET", "/procedures/juminhyo/form", None)
    pt = api.ok("GET", "/procedures/juminhyo/form?lang=pt", None)
    assert [f["id"] for f in ja["fields"]] == [f["id"] for f in pt["fields"]]
    copies = next(f for f in pt["fields"] if f["id"] == "copies")
    assert copies["label"] == "Número de cópias" and copies["min"] == 1 and copies["max"] == 10
    assert ja["attachments"][0]["id"] == "identity_document"
    jido = api.ok("GET", "/procedures/jido-teate/form?lang=en", None)
    assert jido["not_asked"] == ["Income and tax certificate"]
    assert api.call("GET", "/procedures/nope/form", None).status_code == 404


def test_resident_applies_with_a_photo_and_staff_approve(api: Api, local_stack: Any):
    # Given a resident's draft, prefilled from the city's records
    draft = api.ok("POST", "/applications", "resident-2", {"procedure": "kodomo-iryohi-josei", "answers": KODOMO})
    assert draft["status"] == "draft"
    assert draft["answers"]["applicant_name"] == "市民 花子"
    assert set(draft["prefilled"]) >= {"applicant_name", "applicant_address", "applicant_date_of_birth", "phone"}
    app_id = draft["id"]

    # A prefilled fact cannot be overwritten; a bad field is a 422 with its path
    bad = api.call("PATCH", f"/applications/{app_id}", "resident-2", {"answers": {"applicant_name": "別人"}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "answers", "applicant_name"]
    bad = api.call(
        "PATCH", f"/applications/{app_id}?lang=pt", "resident-2", {"answers": {"child_date_of_birth": "2020-02-30"}}
    )
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {
            "loc": ["body", "answers", "child_date_of_birth"],
            "type": "date_invalid",
            "msg": "Informe uma data válida (ex.: 2026-04-01).",
        }
    ]

    # Submitting without the photo: the attachment is missing
    missing = api.call("POST", f"/applications/{app_id}/submit", "resident-2", {})
    assert missing.status_code == 422 and missing.json()["detail"][0]["type"] == "attachment_missing"

    # When the photo is uploaded, the S3 event checks it and strips its location
    ticket = api.upload(app_id, "resident-2", jpeg_with_location())
    application = api.ok("GET", f"/applications/{app_id}", "resident-2")
    [attachment] = application["attachments"]
    assert attachment["id"] == ticket["attachment_id"] and attachment["status"] == "valid"
    s3 = boto3.client("s3")
    bucket = catalogue.bucket("attachments").local_name
    clean = s3.get_object(Bucket=bucket, Key=f"files/{app_id}/{attachment['id']}")["Body"].read()
    exif = Image.open(io.BytesIO(clean)).getexif()
    assert len(exif) == 0  # nothing but the pixels (issue 13: maker, serial, owner and GPS all go)
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"uploads/{app_id}/").get("KeyCount", 0)
    assert listed == 0  # the raw upload is gone

    # Then the submit (twice, same key) gives one received application
    key = uuid.uuid4().hex
    first = api.ok("POST", f"/applications/{app_id}/submit", "resident-2", {}, **{"Idempotency-Key": key})
    again = api.ok("POST", f"/applications/{app_id}/submit", "resident-2", {}, **{"Idempotency-Key": key})
    assert first["status"] == again["status"] == "received"
    assert first["qr_svg"].lstrip().startswith("<?xml") and first["code"] in first["qr_svg"]
    local_stack.streams.drain()  # the outbox worker tags the files the submit owed
    tags = s3.get_object_tagging(Bucket=bucket, Key=f"files/{app_id}/{attachment['id']}")["TagSet"]
    assert {"Key": "referenced", "Value": "true"} in tags
    mine = api.ok("GET", "/me/applications", "resident-2")["applications"]
    assert sum(1 for a in mine if a["id"] == app_id) == 1

    # Staff of the department find it in their inbox, see the photo through a short-lived link and approve
    inbox = api.ok("GET", "/staff/applications?status=received", "staff-kodomo")["applications"]
    assert app_id in {a["id"] for a in inbox}
    seen = api.ok("GET", f"/applications/{app_id}", "staff-kodomo")
    link = seen["attachments"][0]["link"]
    assert requests.get(link, timeout=10).content == clean
    returned = api.ok(
        "POST",
        f"/staff/applications/{app_id}/decision",
        "staff-kodomo",
        {"decision": "return", "reason": "保険の種類を確認してください"},
    )
    assert returned["status"] == "returned"
    assert api.ok("GET", f"/applications/{app_id}", "resident-2")["return_reason"] == "保険の種類を確認してください"
    api.ok("PATCH", f"/applications/{app_id}", "resident-2", {"answers": {"insurance_type": "shakai"}})
    assert api.ok("POST", f"/applications/{app_id}/submit", "resident-2", {})["status"] == "received"
    approved = api.ok("POST", f"/staff/applications/{app_id}/decision", "staff-kodomo", {"decision": "approve"})
    assert approved["status"] == "approved"
    assert api.ok("GET", f"/applications/{app_id}", "resident-2")["status"] == "approved"


def test_a_photo_that_is_not_an_image_is_rejected_and_blocks_submit(api: Api):
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "kodomo-iryohi-josei", "answers": KODOMO})
    api.upload(draft["id"], "resident-1", b"\xff\xd8\xff" + b"not really a jpeg" * 10)
    [attachment] = api.ok("GET", f"/applications/{draft['id']}", "resident-1")["attachments"]
    assert attachment["status"] == "rejected" and attachment["reason"] == "image_undecodable"
    blocked = api.call("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert blocked.status_code == 409 and blocked.json()["code"] == "attachment_not_valid"
    # A PNG declared as JPEG is refused by its magic bytes
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    api.upload(draft["id"], "resident-1", png.getvalue())
    latest = api.ok("GET", f"/applications/{draft['id']}", "resident-1")["attachments"][-1]
    assert latest["reason"] == "file_type_mismatch"


def test_a_pending_upload_blocks_submit(api: Api):
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "kodomo-iryohi-josei", "answers": KODOMO})
    api.ok(
        "POST",
        f"/applications/{draft['id']}/attachments",
        "resident-1",
        {"kind": "insurance_card", "content_type": "image/jpeg"},
    )
    blocked = api.call("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert blocked.status_code == 409
    assert api.ok("GET", f"/applications/{draft['id']}", "resident-1")["status"] == "draft"


def test_more_than_10_mb_is_refused(api: Api):
    """The presigned POST's policy limits the size (S3 refuses more); moto does not enforce policies (like
    expiry, docs/local-stack.md), so the upload lands here and the check after it refuses it too."""
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "kodomo-iryohi-josei", "answers": KODOMO})
    ticket = api.ok(
        "POST",
        f"/applications/{draft['id']}/attachments",
        "resident-1",
        {"kind": "insurance_card", "content_type": "image/jpeg"},
    )
    assert ["content-length-range", 1, 10 * 1024 * 1024] in _policy_conditions(ticket["fields"])
    big = requests.post(
        ticket["url"],
        data=ticket["fields"],
        files={"file": ("x", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), "image/jpeg")},
        timeout=60,
    )
    assert big.status_code in (204, 400)
    s3_events.drain()
    [attachment] = api.ok("GET", f"/applications/{draft['id']}", "resident-1")["attachments"]
    assert attachment["status"] == "rejected" and attachment["reason"] == "file_too_large"


def _policy_conditions(fields: dict[str, str]) -> list[Any]:
    import base64
    import json

    return list(json.loads(base64.b64decode(fields["policy"]))["conditions"])


def test_children_allowance_asks_tax_division_instead_of_a_certificate(api: Api):
    answers = {
        "child_name": "市民 次郎",
        "child_date_of_birth": "2021-01-01",
        "children_count": 2,
        "bank_name": "百五銀行",
        "branch_name": "本店",
        "account_number": "1234567",
    }
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "jido-teate", "answers": answers})
    assert all(a["id"] != "income_certificate" for a in draft["form"]["attachments"])
    api.upload(draft["id"], "resident-1", jpeg_with_location())
    submitted = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    [verification] = submitted["verifications"]
    assert verification["department"] == "zei" and verification["answer"] is None
    # 市民税課 sees it in its console; こども未来課 cannot approve before the answer
    waiting = api.ok("GET", "/staff/verifications", "staff-zei")["verifications"]
    assert draft["id"] in {v["application_id"] for v in waiting}
    early = api.call("POST", f"/staff/applications/{draft['id']}/decision", "staff-kodomo", {"decision": "approve"})
    assert early.status_code == 409 and early.json()["code"] == "verification_pending"
    path = f"/staff/applications/{draft['id']}/verifications/{verification['id']}/answer"
    assert api.call("POST", path, "staff-kodomo", {"answer": "x"}).status_code == 403
    api.ok("POST", path, "staff-zei", {"answer": "所得制限限度額未満（令和8年度）"})
    assert api.call("POST", path, "staff-zei", {"answer": "again"}).status_code == 409
    assert draft["id"] not in {
        v["application_id"] for v in api.ok("GET", "/staff/verifications", "staff-zei")["verifications"]
    }
    assert (
        api.ok("POST", f"/staff/applications/{draft['id']}/decision", "staff-kodomo", {"decision": "approve"})["status"]
        == "approved"
    )


def test_kiosk_visit_prefills_and_staff_issue_the_certificate_pdf(api: Api):
    visit = api.ok(
        "POST",
        "/visits",
        "kiosk-1",
        {
            "name": "市民 花子",
            "address": "三重県四日市市安島1丁目2番3号",
            "date_of_birth": "1990-09-30",
            "sex": "female",
        },
    )
    answers = {"subject": "self", "copies": 2, "purpose": "bank", "delivery": "pickup", "phone": "059-354-8111"}
    request = api.ok(
        "POST", "/applications", "kiosk-1", {"procedure": "juminhyo", "visit_id": visit["id"], "answers": answers}
    )
    assert request["answers"]["applicant_name"] == "市民 花子" and request["channel"] == "kiosk"
    assert request["fee_yen"] == 600
    # The kiosk's request is received without the online payment (paid at the machine) and needs no photo
    # from a card-reader visit... but the form asks for one online: the kiosk uploads the card's face image.
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 10, 10)).save(png, "PNG")
    api.upload(request["id"], "kiosk-1", png.getvalue(), "image/png", kind="identity_document")
    received = api.ok("POST", f"/applications/{request['id']}/submit", "kiosk-1", {})
    assert received["status"] == "received"
    # A kiosk may not read others' applications or the staff inbox
    assert api.call("GET", "/staff/applications", "kiosk-1").status_code == 403
    api.ok("POST", f"/staff/applications/{request['id']}/decision", "staff-shimin", {"decision": "approve"})
    pdf = api.call("POST", f"/staff/applications/{request['id']}/certificate", "staff-shimin", {})
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"HeiseiMin-W3" in pdf.content
    # made from the record the card's holder has (matched without an account), in 和暦, not from the form
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "三重県四日市市安島1丁目2番3号" in text and "平成2年9月30日" in text and "059-354-8111" not in text
    assert api.ok("GET", f"/applications/{request['id']}", "staff-shimin")["status"] == "issued"


def test_expired_or_unknown_visit_is_refused(api: Api):
    refused = api.call("POST", "/applications", "kiosk-1", {"procedure": "juminhyo", "visit_id": "visit-none"})
    assert refused.status_code == 404 and refused.json()["code"] == "visit_expired"


def test_counter_only_procedure_is_handed_over_by_qr_code(api: Api):
    answers = {"copies": 1, "purpose": "vehicle"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "inkan-toroku-shomei", "answers": answers})
    assert draft["channel"] == "counter" and draft["form"]["counter_note"]
    pre = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert pre["status"] == "preregistered" and "<svg" in pre["qr_svg"]
    code = pre["code"]
    opened = api.ok("GET", f"/staff/applications/by-code/{code[:4]}-{code[4:].lower()}", "staff-shimin")
    assert opened["id"] == draft["id"] and opened["answers"]["applicant_name"] == "市民 一郎"
    api.ok("PATCH", f"/applications/{draft['id']}", "staff-shimin", {"answers": {"copies": 2}})
    accepted = api.ok("POST", f"/staff/applications/{draft['id']}/accept", "staff-shimin")
    assert accepted["status"] == "received" and accepted["answers"]["copies"] == 2
    assert api.call("GET", "/staff/applications/by-code/ZZZZZZZZ", "staff-shimin").status_code == 404


def test_proxy_input_is_confirmed_by_the_resident(api: Api):
    answers = {"subject": "household", "copies": 1, "purpose": "school", "delivery": "pickup"}
    typed = api.ok(
        "POST",
        "/applications",
        "staff-shimin",
        {"procedure": "juminhyo", "for_resident": "resident-pt", "answers": answers},
    )
    assert typed["typed_by"] == "staff-shimin" and typed["answers"]["applicant_name"] == "Ana Souza"
    png = io.BytesIO()
    Image.new("RGB", (40, 30)).save(png, "PNG")
    api.upload(typed["id"], "staff-shimin", png.getvalue(), "image/png", kind="identity_document")
    handed = api.ok("POST", f"/applications/{typed['id']}/submit", "staff-shimin", {})
    assert handed["status"] == "awaiting_confirmation"
    shown = api.ok("GET", f"/applications/{typed['id']}?lang=pt", "resident-pt")
    assert shown["form"]["fields"][0]["label"] == "Nome completo"
    assert api.call("POST", f"/applications/{typed['id']}/confirm", "resident-1", {"confirm": True}).status_code == 404
    confirmed = api.ok("POST", f"/applications/{typed['id']}/confirm", "resident-pt", {"confirm": True})
    assert confirmed["status"] == "received"
    assert confirmed["typed_by"] == "staff-shimin" and confirmed["confirmed_by"] == "resident-pt"


def test_staff_reads_are_audited(api: Api):
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "kodomo-iryohi-josei", "answers": KODOMO})
    api.call("GET", f"/applications/{draft['id']}", "staff-kodomo")
    table = boto3.resource("dynamodb").Table(catalogue.table("applications").local_name)
    items = table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"APP#{draft['id']}"})
    actions = [(i["actor"], i["action"]) for i in items["Items"] if i["sk"].startswith("AUDIT#")]
    assert ("resident-1", "created") in actions and ("staff-kodomo", "viewed") in actions


def test_a_paid_fee_is_received_from_the_webhook_without_the_resident_coming_back(api: Api, local_stack: Any):
    # Given a 住民票 application waiting for its fee
    answers = {"subject": "self", "copies": 2, "purpose": "bank", "delivery": "post"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert waiting["status"] == "awaiting_payment" and waiting["payment_url"]
    # When the resident pays and closes the tab (the signed webhook is the only news)
    session_id = waiting["payment_url"].rstrip("/").rsplit("/", 1)[-1]
    assert local_stack.stripe.pay(session_id, "4242 4242 4242 4242") == (True, None)
    # Then the application is received and the resident is told by e-mail (by the outbox worker)
    received = api.ok("GET", f"/applications/{draft['id']}", "resident-1")
    assert received["status"] == "received"
    local_stack.streams.drain()
    outbox = requests.get(f"{api.url}/_local/outbox", params={"to": "ichiro@example.jp"}, timeout=10).json()
    assert any(received["code"] in m["subject"] and "申請を受け付けました" in m["subject"] for m in outbox["messages"])
    # and coming back later changes nothing
    assert api.ok("POST", f"/applications/{draft['id']}/payment", "resident-1")["status"] == "received"


def test_reconciliation_receives_a_fee_whose_webhook_was_lost(api: Api, local_stack: Any):
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    # Paid, but the webhook is lost
    local_stack.stripe.drop_next = 1
    assert local_stack.stripe.pay(waiting["payment_url"].rstrip("/").rsplit("/", 1)[-1], "4242424242424242")[0]
    assert api.ok("GET", f"/applications/{draft['id']}", "resident-1")["status"] == "awaiting_payment"
    # Too early: left to its webhook; after the wait the reconciler asks Stripe and receives it
    assert local_stack.run_scheduled("payments_reconciler")["fees_received"] == 0
    table = boto3.resource("dynamodb").Table(catalogue.table("applications").local_name)
    item = table.get_item(Key={"pk": f"APP#{draft['id']}", "sk": "APP"})["Item"]
    long_ago = "2000-01-01T00:00:00+00:00"  # before any cut-off
    table.update_item(
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="SET inbox_sk = :sk",
        ExpressionAttributeValues={":sk": f"{long_ago}#{draft['id']}"},
    )
    assert local_stack.run_scheduled("payments_reconciler")["fees_received"] >= 1
    assert api.ok("GET", f"/applications/{draft['id']}", "resident-1")["status"] == "received"
