"""The domain event of the FAQ chat handing a resident to a person (docs/metrics.md), written in the same
transaction as the question kept for review (the transactional outbox, madoguchi.shared.outbox).

A chat answer without a confident entry tells the resident how to reach a person (the hand-off) and keeps the
masked question: that is one `handed_off` event under the pseudo-procedure `faq`, channel `online` (the site's
chat) or `line`. It carries no text, only the question's id and time.
"""

from __future__ import annotations

from madoguchi.faq.models import FaqUnanswered
from madoguchi.metrics.models import DomainEvent

FAQ_PROCEDURE = "faq"


def handoff_event(question: FaqUnanswered) -> DomainEvent:
    return DomainEvent(
        id=f"faq:{question.id}:handed_off",
        type="handed_off",
        context="faq",
        aggregate_id=question.id,
        procedure_id=FAQ_PROCEDURE,
        channel="line" if question.channel == "line" else "online",
        occurred_at=question.asked_at,
    )
