"""`python -m infra.local`: run the whole system on this machine (what `make run` does)."""

from __future__ import annotations

import os
import signal
import threading

from infra.local.stack import LocalStack

PAGES = {
    "Resident portal": "/",
    "Life-event pre-registration": "/preregister/",
    "Kiosk": "/kiosk/",
    "Ticket display board": "/display/",
    "Procedure guide": "/guide/",
    "FAQ search and chat": "/faq/",
    "Staff console": "/staff/",
    "Online applications": "/apply/",
    "Staff: applications": "/staff/applications/",
    "Confirmation tablet": "/confirm/",
    "Outbox (e-mails sent)": "/_local/outbox",
    "Facility reservations": "/facilities/",
    "My reservations": "/reservations/",
    "Staff: facilities": "/staff/facilities/",
    "Staff: intake navigation": "/staff/guide/",
    "Staff: FAQ review": "/staff/faq/",
    "Ticket machine": "/ticket-machine/",
    "Ticket status (from its QR)": "/ticket/",
    "Live congestion": "/congestion/",
    "Congestion calendar": "/congestion/calendar.html",
    "Staff: queue calling": "/staff/queue/",
    "Staff: counter dashboard (staff-kanri)": "/staff/dashboard/",
    "API docs (Swagger UI)": "/docs/",
    "OpenAPI document": "/openapi.json",
}


def main() -> None:
    stack = LocalStack(
        host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8000")), schedules=True
    )
    stack.start()
    print(f"Madoguchi is running at {stack.url} (AWS emulation at {stack.moto_url})")
    for name, path in PAGES.items():
        print(f"  {name:<30} {stack.url}{path}")
    print(f"  {'Stripe stand-in (test cards)':<30} {stack.stripe.url}/_control/events")
    print(f"  {'LINE stand-in (messages sent)':<30} {stack.line.url}/_sent")
    print(f"  {'OpenID Connect (sign-in)':<30} {stack.oidc.url}/{{resident,staff,device}}")
    print("Demo users, the staff password and TOTP secret: see docs/local-stack.md. Press Ctrl-C to stop.", flush=True)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
        print("Stopped.")


if __name__ == "__main__":
    main()
