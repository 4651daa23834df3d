"""The personal-data log scanner (tests/privacy/scan.py) and the handler log capture it reads."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from aws_lambda_powertools import Logger

from infra.local import handler_logs
from tests.privacy import scan


def kinds(line: str) -> set[str]:
    return {f.kind for f in scan.scan_lines([line])}


def test_a_handler_logging_a_residents_name_is_caught(tmp_path, monkeypatch):
    # Given a Powertools logger whose lines are captured as the local stack captures the handlers'
    service = f"scanner-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", service)
    path = tmp_path / "handler.jsonl"
    tee = handler_logs.capture(path)
    try:
        logger = Logger(service=service, level="INFO")
        # When the handler logs a resident's name (as an extra key, JSON-encoded by Powertools)
        logger.info("Application received", extra={"applicant": "市民 一郎"})
        logger.info("Nothing personal here", extra={"application_id": "a1b2c3"})
    finally:
        handler_logs.release(tee)
    lines = path.read_text(encoding="utf-8").splitlines()
    # Then the captured line is the Powertools JSON line, and the scan fails on it and only it
    assert [json.loads(line)["message"] for line in lines] == ["Application received", "Nothing personal here"]
    findings = scan.scan_lines(lines, "handler.jsonl")
    assert [(f.where, f.kind) for f in findings] == [("handler.jsonl:1", "resident name")]
    assert scan.main([str(tmp_path)]) == 1


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ('{"message": "hold", "owner": "Ana Souza"}', "resident name"),
        ('{"message": "hold", "owner": "ＡＮＡ　ＳＯＵＺＡ"}', "resident name"),  # full-width, folded by NFKC
        ('{"message": "x", "who": "\\u5e02\\u6c11\\u82b1\\u5b50"}', "resident name"),  # 市民花子, JSON-escaped
        ('{"address": "諏訪町1番5号"}', "resident address"),
        ('{"address": "三重県四日市市安島1丁目2番3号"}', "resident address"),
        ('{"dob": "1985-04-12"}', "resident birth date"),
        ('{"dob": "1990年9月30日"}', "resident birth date"),
        ('{"to": "someone@example.org"}', "e-mail address"),
        ('{"tel": "090-1234-5678"}', "phone number"),
        ('{"tel": "0593540001"}', "phone number"),
        ('{"tel": "+81 90 1234 5678"}', "phone number"),
        ('{"my_number": "123456789018"}', "12-digit number"),
        ('{"my_number": "1234 5678 9018"}', "12-digit number"),
        ('{"to": "U4af4980629a0c1b2c3d4e5f6a7b8c9d0"}', "LINE user id"),
    ],
)
def test_each_kind_of_personal_data_is_found(line, kind):
    assert kind in kinds(line)


@pytest.mark.parametrize(
    "line",
    [
        '{"function_arn": "arn:aws:lambda:ap-northeast-1:123456789012:function:queue"}',  # account id in an ARN
        '{"ticket": "shimin_cert-20261201-12-0a1b2c3d", "at": "2026-12-01T09:00:00+00:00"}',
        '{"xray_trace_id": "1-5759e988-bd862e3fe1be46a994272793", "request": "0123-4567-8901-abcd"}',
        '{"timestamp": 1796127735879, "amount": 3000, "message": "市民課 窓口 called"}',
        '{"reservation": "5f0c3b6e-0123-4567-8901-23456789abcd"}',
        '{"function_request_id": "d9542d3a-e4ff-4ac0-b76e-657595733203"}',  # a uuid whose last group is all digits
        '{"request": "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "user": "resident-1"}',  # a bare hex id is not a LINE id
        '{"device_id": "kiosk-978553247449", "kind": "kiosk"}',  # a named id whose hex tail is all decimal
    ],
)
def test_ids_times_and_arns_are_not_findings(line):
    assert kinds(line) == set()


def test_people_only_a_family_register_names_are_looked_for_too():
    """A spouse outside the resident's household and the parents appear only in the demo family registers."""
    for line in ('{"order": "koseki", "spouse": "市民 美咲"}', '{"mother": "山田 由美"}', '{"born": "1987-03-03"}'):
        assert kinds(line) & {"resident name", "resident birth date"}, line


def test_nothing_captured_is_a_failure_not_a_pass(tmp_path: Path):
    assert scan.main([str(tmp_path)]) == 1
