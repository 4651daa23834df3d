"""Schemathesis against the local gateway's merged /openapi.json, as each kind of caller: no 5xx, responses match
their schemas; then stateful runs over the links schemathesis infers between operations (an id a response
returns, used by the next request), as each caller: no 5xx.

The fuzzing tests are marked `slow` (several minutes on two cores): `-m "not slow"` leaves them out.
"""

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from infra import catalogue

# Every kind of caller (DESIGN.md "Identity"): anonymous, a resident, staff of one department, an enrolled kiosk
# and a ticket machine. Not staff of 施設管理課: its PUT /staff/facilities would rewrite the demo facilities the
# other tests of this worker book.
IDENTITIES = {
    "anonymous": None,
    "resident": "resident-1",
    "staff": "staff-shimin",
    "kiosk": "kiosk-1",
    "ticket machine": "ticket-1",
}


@pytest.fixture(scope="session")
def api_schema(stack_url):
    return schemathesis.openapi.from_url(f"{stack_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


def test_every_catalogue_route_is_documented(api_schema):
    documented = {(method.upper(), path) for path, ops in api_schema.raw_schema["paths"].items() for method in ops}
    expected = {(r.method, r.path) for r, _ in catalogue.routes()}
    assert documented == expected


# Issue 13, flaw 7: every POST that creates something declares the Idempotency-Key header. The others, and why a
# retry of them cannot make a second of anything:
ONCE = "a change from one state to the next: a retry finds it done (409) or answers it again"
COMPUTED = "computes an answer and stores nothing"
NATURAL_KEY = "one per natural key (a facility's day or month, a ticket's opt-in): a retry finds it there"
NOT_KEYED = {
    "/applications/{applicationId}/confirm": ONCE,
    "/applications/{applicationId}/payment": "checks the payment with the gateway; receiving is a change once",
    "/cases/{caseId}/identity": ONCE,
    "/cases/{caseId}/verifications/{verificationId}/answer": ONCE,
    "/devices/enrol": "the one-time code is spent by the first request",
    "/devices/token": COMPUTED,
    "/faq/chat": "an anonymous question: an unsure one is kept for staff (a retry keeps it twice, masked)",
    "/guide/checklist": COMPUTED,
    "/guide/checklist.ics": COMPUTED,
    "/kiosk/sessions/{sessionId}/authenticate": "the challenge is spent by the first answer",
    "/kiosk/sessions/{sessionId}/orders/{orderId}/cancel": ONCE,
    "/line/webhook": "LINE's redeliveries carry the same webhook event id",
    "/me/line/callback": "the login state is spent by the first request",
    "/me/line/link": "a short-lived login state; an unused one expires",
    "/payments/stripe/webhook": "Stripe's event id is recorded once",
    "/queues/{counterId}/tickets/{ticketId}/absent": ONCE,
    "/queues/{counterId}/tickets/{ticketId}/cancel": ONCE,
    "/queues/{counterId}/tickets/{ticketId}/complete": ONCE,
    "/queues/{counterId}/tickets/{ticketId}/requeue": ONCE,
    "/reservations/{reservationId}/checkout": "one checkout per reservation",
    "/staff/applications/{applicationId}/accept": ONCE,
    "/staff/applications/{applicationId}/certificate": "a second issue of one application is a copy of the same number",
    "/staff/applications/{applicationId}/decision": ONCE,
    "/staff/applications/{applicationId}/verifications/{verificationId}/answer": ONCE,
    "/staff/certificates/{issueNumber}/revoke": ONCE,
    "/staff/devices/{deviceId}/revoke": ONCE,
    "/staff/facilities/{facilityId}/closures": NATURAL_KEY,
    "/staff/faq/unanswered/{questionId}/resolve": ONCE,
    "/staff/fee-reductions/{reductionId}/decide": ONCE,
    "/staff/guide/navigation": COMPUTED,
    "/staff/lottery/{facilityId}/{month}": NATURAL_KEY,
    "/staff/lottery/{facilityId}/{month}/draw": ONCE,
    "/staff/tasks/{taskId}/approve": ONCE,
    "/staff/tasks/{taskId}/return": ONCE,
    "/tickets/{ticketId}/notifications": NATURAL_KEY,
    "/tickets/{ticketId}/notifications/line": NATURAL_KEY,
}


def test_every_creating_post_declares_its_idempotency_key(api_schema):
    posts = {path: ops["post"] for path, ops in api_schema.raw_schema["paths"].items() if "post" in ops}
    keyed = {
        path
        for path, op in posts.items()
        if any(p["in"] == "header" and p["name"].lower() == "idempotency-key" for p in op.get("parameters", []))
    }
    assert keyed | set(NOT_KEYED) == set(posts), "classify the new POST: keyed, or in NOT_KEYED with the reason"
    assert not keyed & set(NOT_KEYED)
    for path in keyed:
        [key] = [p for p in posts[path]["parameters"] if p["name"].lower() == "idempotency-key"]
        assert not key.get("required") and key["schema"]["anyOf"][0]["maxLength"] == 100


@pytest.fixture(scope="session")
def callers(auth_header: Callable[[str], dict[str, str]]) -> dict[str, dict[str, str]]:
    """Each identity's headers: each generated example is sent as each of them."""
    return {name: auth_header(user) if user else {} for name, user in IDENTITIES.items()}


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))  # × 5 callers: as before
def test_api_conforms_to_its_openapi_document(case, stack_url, callers):
    for headers in callers.values():
        # Excluded checks, by design: rules beyond the schema (roles, an event's own questions, a task already
        # decided) answer 4xx to schema-valid requests; unknown query parameters are ignored, as HTTP APIs do,
        # and the callers' headers replace the generated ones (so "missing Authorization" cases are not sent).
        case.call_and_validate(
            base_url=stack_url, headers=headers, excluded_checks=[positive_data_acceptance, negative_data_rejection]
        )


@pytest.mark.slow
@pytest.mark.parametrize("identity", list(IDENTITIES))
def test_stateful_sequences_never_answer_5xx(api_schema, stack_url, callers, identity):
    """Sequences such as POST /reservations → its id → checkout → cancel → receipt, or a ticket → its status →
    call, recall, cancel, as one caller throughout."""
    headers = callers[identity]
    linked: list[str] = []  # operations called with a path parameter an earlier response of the scenario returned

    class AsOneCaller(api_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            super().setup()
            self.returned: set[str] = set()

        def before_call(self, case: Any) -> None:
            super().before_call(case)
            if any(str(v) in self.returned for v in (case.path_parameters or {}).values()):
                linked.append(case.operation.label)

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            with contextlib.suppress(ValueError):  # not JSON
                self.returned |= set(strings(response.json()))

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": stack_url, "headers": headers}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=[not_a_server_error], transport_kwargs=kwargs or None)

    # Which transitions hypothesis draws depends on its seed: a caller with many operations (staff, the kiosk) may
    # draw no linked step in one short run. Fixed seeds make every run draw the same sequences (a failure is
    # reproducible, as hypothesis advises for CI); the next seed is tried until one run links, up to five.
    for attempt in range(5):
        seed(attempt)(AsOneCaller).run(
            settings=settings(
                max_examples=15,
                stateful_step_count=8,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
        )
        if linked:
            break
    # The kiosk's own operations (sessions, then a card's signature) rarely give hypothesis a linked step it can
    # take in a short run; for it the run still checks every answer for 5xx, but is not required to be stateful.
    assert linked or identity == "kiosk", "no sequence used an id returned by an earlier step: the run was not stateful"


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) and value else []
