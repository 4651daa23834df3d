"""Issue 13, `make load`'s failed check "a hold answered 200 whose checkout then returns 404": under parallel
requests the local stack ran one request with another's caller. Powertools keeps the resolver's current event in
a class attribute (`BaseRouter.current_event`): one event per process in Lambda, but the local stack runs every
invocation in one process, so a parallel request's event replaced this one's between routing and the handler.
The hold was then written for the other resident and this resident's checkout found no reservation of theirs."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from infra.catalogue import Function
from infra.local.functions import LambdaContext, load_container
from infra.local.identity import DemoUser
from infra.local.stack import LocalStack
from tests.integration.reservations_helpers import FACILITY, STARTS, fresh_day

COURTS = ["court-1", "court-2", "court-3", "court-4"]


def test_parallel_holds_each_belong_to_their_own_caller_and_check_out(local_stack: LocalStack) -> None:
    # Given 28 residents, each with a slot of their own on one day, starting at the same instant
    pool = local_stack.oidc.pools["resident"]
    run = uuid.uuid4().hex[:6]
    slots = [(court, start) for court in COURTS for start in STARTS]
    residents = [f"parallel-{run}-{n:02d}" for n in range(len(slots))]
    tokens = {r: pool.id_token(DemoUser(r, "resident", r)) for r in residents}
    day = fresh_day().isoformat()
    start = threading.Barrier(len(residents))

    def book(resident: str, slot: tuple[str, str]) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {tokens[resident]}"}
        body = {"facility_id": FACILITY, "date": day, "slots": [{"unit_id": slot[0], "start": slot[1]}]}
        start.wait()
        held = requests.post(f"{local_stack.url}/reservations", json=body, headers=headers, timeout=120)
        seen = {"hold": held.status_code, "owner": held.json().get("owner"), "slot": held.json().get("slots")}
        if held.status_code == 200:
            rid = held.json()["id"]
            paying = requests.post(
                f"{local_stack.url}/reservations/{rid}/checkout", json={}, headers=headers, timeout=120
            )
            seen["checkout"] = paying.status_code
        return seen

    # When each holds their slot and checks out at once
    with ThreadPoolExecutor(len(residents)) as workers:
        seen = list(workers.map(book, residents, slots))

    # Then every hold is the caller's own, of the slot asked for, and its checkout answers 200
    expected = [
        {"hold": 200, "owner": r, "slot": [{"unit_id": u, "start": s}], "checkout": 200}
        for r, (u, s) in zip(residents, slots, strict=True)
    ]
    assert seen == expected


def hold_event(stack: LocalStack, user: str, day: str, slot: tuple[str, str]) -> tuple[dict[str, Any], Function]:
    """The API Gateway event of a resident's POST /reservations, as the local gateway builds it."""
    token = stack.oidc.pools["resident"].id_token(DemoUser(user, "resident", user))
    body = {"facility_id": FACILITY, "date": day, "slots": [{"unit_id": slot[0], "start": slot[1]}]}
    request = Request(
        EnvironBuilder(
            method="POST", path="/reservations", json=body, headers={"Authorization": f"Bearer {token}"}
        ).get_environ()
    )
    compiled, match = next(
        (r, m) for r in stack.gateway.routes if r.route.method == "POST" and (m := r.pattern.match("/reservations"))
    )
    event = stack.gateway.proxy_event(request, compiled, match.groupdict(), stack.gateway._claims(request))
    return event, compiled.function


def test_a_request_keeps_its_own_caller_while_another_runs_in_between(local_stack: LocalStack) -> None:
    # Given two residents' holds of two slots, handled by two containers of the reservations function
    day, run = fresh_day().isoformat(), uuid.uuid4().hex[:6]
    first_event, fn = hold_event(local_stack, f"first-{run}", day, ("court-1", "07:00"))
    second_event, _ = hold_event(local_stack, f"second-{run}", day, ("court-2", "09:00"))
    first, second = load_container(fn), load_container(fn)
    answers: list[dict[str, Any]] = []

    def meanwhile(app: Any, next_middleware: Any) -> Any:
        # the first request is routed; the second runs whole on another thread before the first goes on
        other = threading.Thread(
            target=lambda: answers.append(second.lambda_handler(second_event, LambdaContext(fn.local_name, 256, 10)))
        )
        other.start()
        other.join()
        return next_middleware(app)

    first.app.use(middlewares=[meanwhile])
    # When the first request completes
    answer = first.lambda_handler(first_event, LambdaContext(fn.local_name, 256, 10))
    # Then each was handled as its own caller, for its own slot
    import json

    held = [json.loads(a["body"]) for a in (answer, *answers)]
    assert [
        (a["statusCode"], h.get("owner"), h.get("slots")) for a, h in zip((answer, *answers), held, strict=True)
    ] == [
        (200, f"first-{run}", [{"unit_id": "court-1", "start": "07:00"}]),
        (200, f"second-{run}", [{"unit_id": "court-2", "start": "09:00"}]),
    ]
