"""Devices: managers enrol with a one-time code, the device redeems it once, every request is checked against
the record, and a revocation holds from the next request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from madoguchi.devices import service
from madoguchi.devices.models import (
    CODE_MINUTES,
    DeviceIdentityUnavailable,
    DeviceNotEnrolled,
    DeviceStatus,
    DeviceWrongKind,
    EnrolmentCodeInvalid,
    EnrolRequest,
    RedeemRequest,
    RenewRequest,
    code_hash,
)
from madoguchi.shared.auth import Caller, DeviceKind, Role
from madoguchi.shared.errors import Conflict, Forbidden, NotFound, Unauthorized
from tests.fakes.devices import MemoryDeviceIdentities, MemoryDeviceStore

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SITE = "https://madoguchi.example"
MANAGER = Caller(sub="staff-kanri", role=Role.STAFF, department="kanri")
CLERK = Caller(sub="staff-shimin", role=Role.STAFF, department="shimin")
RESIDENT = Caller(sub="resident-1", role=Role.RESIDENT)
TICKET = EnrolRequest(kind=DeviceKind.TICKET_MACHINE, label="発券機A", location="本庁1階")
KIOSK = EnrolRequest(kind=DeviceKind.KIOSK, label="キオスク1", location="本庁1階")


@pytest.fixture
def deps() -> service.DevicesDeps:
    return service.DevicesDeps(devices=MemoryDeviceStore(), identities=MemoryDeviceIdentities())


def device_caller(device_id: str, kind: DeviceKind) -> Caller:
    return Caller(sub=device_id, role=Role.DEVICE, device_kind=kind, device_id=device_id)


def test_a_manager_enrols_a_pending_device_with_a_code_shown_once(deps):
    enrolment = service.enrol(TICKET, MANAGER, deps, NOW, SITE)
    stored = deps.devices.get(enrolment.device.id)
    assert stored is not None and stored.status is DeviceStatus.PENDING
    assert enrolment.code_expires_at == NOW + timedelta(minutes=CODE_MINUTES)
    assert enrolment.enrol_url == f"{SITE}/ticket-machine/#enrol={enrolment.code}"
    assert "<svg" in enrolment.qr_svg
    # Only the hash is kept: the code itself is nowhere in the store
    assert enrolment.code not in repr(deps.devices.__dict__)
    assert [a.action for a in deps.devices.audit(stored.id)] == ["enrol"]
    assert deps.devices.audit(stored.id)[0].by == "staff-kanri"


@pytest.mark.parametrize(("caller", "error"), [(None, Unauthorized), (CLERK, Forbidden), (RESIDENT, Forbidden)])
def test_only_managers_enrol_list_and_revoke(deps, caller, error):
    enrolment = service.enrol(TICKET, MANAGER, deps, NOW, SITE)
    with pytest.raises(error):
        service.enrol(TICKET, caller, deps, NOW, SITE)
    with pytest.raises(error):
        service.list_devices(caller, deps)
    with pytest.raises(error):
        service.revoke(enrolment.device.id, caller, deps, NOW)
    assert deps.devices.get(enrolment.device.id).status is DeviceStatus.PENDING


def test_redeemed_code_gives_tokens_once_and_the_device_is_admitted(deps):
    enrolment = service.enrol(TICKET, MANAGER, deps, NOW, SITE)
    typed = enrolment.code.lower().replace("-", " ")  # as typed on a touch screen
    session = service.redeem(RedeemRequest(code=typed, kind=DeviceKind.TICKET_MACHINE), deps, NOW)
    assert session.device.id == enrolment.device.id and session.refresh_token
    caller = device_caller(session.device.id, DeviceKind.TICKET_MACHINE)
    assert service.admit(caller, deps) is caller
    # Given the code was spent, when it is offered again, then it is refused
    with pytest.raises(EnrolmentCodeInvalid):
        service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.TICKET_MACHINE), deps, NOW)


def test_an_expired_or_unknown_code_is_refused(deps):
    enrolment = service.enrol(TICKET, MANAGER, deps, NOW, SITE)
    late = NOW + timedelta(minutes=CODE_MINUTES)
    with pytest.raises(EnrolmentCodeInvalid):
        service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.TICKET_MACHINE), deps, late)
    with pytest.raises(EnrolmentCodeInvalid):
        service.redeem(RedeemRequest(code="AAAA-BBBB-CCCC-DDDD", kind=DeviceKind.TICKET_MACHINE), deps, NOW)
    assert deps.devices.get(enrolment.device.id).status is DeviceStatus.PENDING


def test_a_kiosk_page_refuses_a_ticket_machine_code_without_spending_it(deps):
    enrolment = service.enrol(TICKET, MANAGER, deps, NOW, SITE)
    with pytest.raises(DeviceWrongKind):
        service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.KIOSK), deps, NOW)
    session = service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.TICKET_MACHINE), deps, NOW)
    assert session.device.kind is DeviceKind.TICKET_MACHINE


def test_a_pool_failure_leaves_the_code_usable(deps):
    enrolment = service.enrol(KIOSK, MANAGER, deps, NOW, SITE)
    deps.identities.down = True
    with pytest.raises(DeviceIdentityUnavailable):
        service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.KIOSK), deps, NOW)
    assert deps.devices.get(enrolment.device.id).status is DeviceStatus.PENDING
    deps.identities.down = False
    assert service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.KIOSK), deps, NOW).id_token


def test_revocation_refuses_the_next_request_and_the_next_renewal(deps):
    enrolment = service.enrol(KIOSK, MANAGER, deps, NOW, SITE)
    session = service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.KIOSK), deps, NOW)
    caller = device_caller(session.device.id, DeviceKind.KIOSK)
    renew = RenewRequest(device_id=session.device.id, refresh_token=session.refresh_token or "")
    assert service.renew(renew, deps).id_token
    revoked = service.revoke(session.device.id, MANAGER, deps, NOW)
    assert revoked.status is DeviceStatus.REVOKED and revoked.identity_disabled
    with pytest.raises(DeviceNotEnrolled):
        service.admit(caller, deps)
    with pytest.raises(DeviceNotEnrolled):
        service.renew(renew, deps)
    # and the pool itself no longer honours the refresh token
    assert deps.identities.refresh[session.refresh_token][1] is True
    assert [a.action for a in deps.devices.audit(session.device.id)] == ["enrol", "redeem", "revoke"]


def test_revoking_a_pending_device_voids_its_code(deps):
    enrolment = service.enrol(TICKET, MANAGER, deps, NOW, SITE)
    service.revoke(enrolment.device.id, MANAGER, deps, NOW)
    with pytest.raises(EnrolmentCodeInvalid):
        service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.TICKET_MACHINE), deps, NOW)


def test_a_failed_pool_sign_out_is_retried_by_revoking_again(deps):
    enrolment = service.enrol(KIOSK, MANAGER, deps, NOW, SITE)
    session = service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.KIOSK), deps, NOW)
    deps.identities.down = True
    with pytest.raises(DeviceIdentityUnavailable):
        service.revoke(session.device.id, MANAGER, deps, NOW)
    # the record is revoked already: the API refuses the device meanwhile
    with pytest.raises(DeviceNotEnrolled):
        service.admit(device_caller(session.device.id, DeviceKind.KIOSK), deps)
    deps.identities.down = False
    assert service.revoke(session.device.id, MANAGER, deps, NOW).identity_disabled


def test_unknown_device_or_token_of_another_kind_is_not_admitted(deps):
    enrolment = service.enrol(KIOSK, MANAGER, deps, NOW, SITE)
    session = service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.KIOSK), deps, NOW)
    for caller in (
        device_caller("ticket-unknown", DeviceKind.TICKET_MACHINE),
        device_caller(session.device.id, DeviceKind.TICKET_MACHINE),
        Caller(sub="old-device", role=Role.DEVICE, device_kind=DeviceKind.KIOSK),  # no device_id claim
    ):
        with pytest.raises(DeviceNotEnrolled):
            service.admit(caller, deps)


def test_admission_costs_one_read_whatever_the_number_of_devices(deps):
    for _ in range(50):
        service.enrol(TICKET, MANAGER, deps, NOW, SITE)
    enrolment = service.enrol(KIOSK, MANAGER, deps, NOW, SITE)
    session = service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.KIOSK), deps, NOW)
    before = deps.devices.reads
    service.admit(device_caller(session.device.id, DeviceKind.KIOSK), deps)
    assert deps.devices.reads - before == 1


def test_a_device_page_of_the_other_kind_is_refused(deps):
    enrolment = service.enrol(KIOSK, MANAGER, deps, NOW, SITE)
    session = service.redeem(RedeemRequest(code=enrolment.code, kind=DeviceKind.KIOSK), deps, NOW)
    caller = device_caller(session.device.id, DeviceKind.KIOSK)
    assert service.whoami(caller, deps, DeviceKind.KIOSK).id == session.device.id
    with pytest.raises(DeviceWrongKind):
        service.whoami(caller, deps, DeviceKind.TICKET_MACHINE)


def test_another_devices_refresh_token_is_refused(deps):
    first = service.redeem(
        RedeemRequest(code=service.enrol(KIOSK, MANAGER, deps, NOW, SITE).code, kind=DeviceKind.KIOSK), deps, NOW
    )
    second = service.enrol(KIOSK, MANAGER, deps, NOW, SITE)
    second_session = service.redeem(RedeemRequest(code=second.code, kind=DeviceKind.KIOSK), deps, NOW)
    with pytest.raises(DeviceNotEnrolled):
        service.renew(RenewRequest(device_id=second_session.device.id, refresh_token=first.refresh_token or ""), deps)


def test_detail_of_an_unknown_device_is_not_found(deps):
    with pytest.raises(NotFound):
        service.detail("ticket-000000000000", MANAGER, deps)


def test_code_hash_ignores_case_and_separators():
    assert code_hash("abcd-efgh-jkmn-pqrs") == code_hash("ABCDEFGHJKMNPQRS") == code_hash("ABCD EFGH JKMN PQRS")


def test_a_retried_enrolment_is_the_same_device_with_a_fresh_code_and_the_old_one_void(deps):
    first = service.enrol(TICKET, MANAGER, deps, NOW, SITE, idempotency_key="press-1")
    again = service.enrol(TICKET, MANAGER, deps, NOW + timedelta(seconds=5), SITE, idempotency_key="press-1")
    assert again.device.id == first.device.id and again.code != first.code  # the first answer may be lost
    assert len(deps.devices.all()) == 1
    assert deps.devices.find_code(code_hash(first.code), NOW) is None  # only the newest code enrols
    assert deps.devices.find_code(code_hash(again.code), NOW) is not None
    assert [a.action for a in deps.devices.audit(first.device.id)] == ["enrol", "code_reissued"]
    other = service.enrol(TICKET, MANAGER, deps, NOW, SITE, idempotency_key="press-2")
    assert other.device.id != first.device.id and len(deps.devices.all()) == 2


def test_a_retry_after_the_device_redeemed_its_code_is_refused_and_changes_nothing(deps):
    first = service.enrol(TICKET, MANAGER, deps, NOW, SITE, idempotency_key="press-1")
    service.redeem(RedeemRequest(code=first.code, kind=DeviceKind.TICKET_MACHINE), deps, NOW)
    with pytest.raises(Conflict):
        service.enrol(TICKET, MANAGER, deps, NOW, SITE, idempotency_key="press-1")
    stored = deps.devices.get(first.device.id)
    assert stored is not None and stored.status is DeviceStatus.ACTIVE
    assert [a.action for a in deps.devices.audit(first.device.id)] == ["enrol", "redeem"]


def test_another_manager_with_the_same_key_gets_another_device(deps):
    other_manager = Caller(sub="staff-kanri-2", role=Role.STAFF, department="kanri")
    first = service.enrol(TICKET, MANAGER, deps, NOW, SITE, idempotency_key="press-1")
    second = service.enrol(TICKET, other_manager, deps, NOW, SITE, idempotency_key="press-1")
    assert first.device.id != second.device.id
