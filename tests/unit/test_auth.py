import pytest

from madoguchi.shared.auth import Caller, DeviceKind, Role, caller_from_event, require
from madoguchi.shared.errors import Forbidden, Unauthorized


def event_with(claims):
    return {"requestContext": {"authorizer": {"claims": claims}}}


def test_claims_from_the_authorizer_become_the_caller():
    caller = caller_from_event(event_with({"sub": "staff-zei", "role": "staff", "department": "zei"}))
    assert caller == Caller(sub="staff-zei", role=Role.STAFF, department="zei")


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"requestContext": {"authorizer": None}},
        event_with({"sub": "x"}),
        event_with({"sub": "x", "role": "admin"}),
        event_with({"role": "staff"}),
    ],
)
def test_missing_or_unknown_claims_mean_anonymous(event):
    assert caller_from_event(event) is None


def test_anonymous_caller_is_unauthorized():
    with pytest.raises(Unauthorized):
        require(None, Role.RESIDENT)


def test_caller_of_another_role_is_forbidden():
    device = Caller(sub="kiosk-1", role=Role.DEVICE, device_kind=DeviceKind.KIOSK)
    with pytest.raises(Forbidden):
        require(device, Role.STAFF)


def test_staff_of_another_department_is_forbidden():
    staff = Caller(sub="staff-zei", role=Role.STAFF, department="zei")
    assert require(staff, Role.STAFF, department="zei") is staff
    with pytest.raises(Forbidden):
        require(staff, Role.STAFF, department="shimin")


def test_device_of_another_kind_is_forbidden():
    ticket = Caller(sub="ticket-1", role=Role.DEVICE, device_kind=DeviceKind.TICKET_MACHINE)
    assert require(ticket, Role.DEVICE, device_kind=DeviceKind.TICKET_MACHINE) is ticket
    with pytest.raises(Forbidden):
        require(ticket, Role.DEVICE, device_kind=DeviceKind.KIOSK)
