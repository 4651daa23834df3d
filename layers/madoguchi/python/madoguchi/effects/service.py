"""Carrying out the effects the outbox owes: once from the stream as soon as one is written, then from the
scheduled redrive until done (docs/decisions.md, "Side effects through the outbox").

A handler raises when the effect is not done yet (a provider failed, timed out, or is throttling): the effect is
due again after a backoff. A handler returns when the effect is done or has become pointless (the reservation it
would refund was never paid): either way nothing is owed any more. Nothing of an effect is logged but its id, its
kind and the class of an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Literal

from aws_lambda_powertools import Logger

from madoguchi.effects.models import MAX_ATTEMPTS, Effect, backoff
from madoguchi.effects.store import EffectQueue

logger = Logger(child=True)

Handler = Callable[[Effect], None]
Outcome = Literal["done", "retry", "given_up", "not_pending", "deferred"]
REDRIVE_PAGE = 100
# The longest one effect may take (a provider's bounded tries within their time-outs: Stripe 2 × 3 s, LINE 3 tries,
# Step Functions 2 × 3 s), with margin. An invocation with less time left defers the rest to the schedule rather
# than be stopped halfway by Lambda's time-out (a batch of hanging providers would otherwise never finish).
EFFECT_SECONDS = 30


def _unbounded() -> float:
    return float("inf")


class UnknownEffect(Exception):
    """No handler for the effect's kind in this deployment (yet): it is retried like a failure."""


def carry_out(
    effect: Effect, attempts: int, handlers: Mapping[str, Handler], queue: EffectQueue, now: datetime
) -> Outcome:
    """Run one effect's handler and record the outcome."""
    try:
        handler = handlers.get(effect.kind)
        if handler is None:
            raise UnknownEffect(effect.kind)
        handler(effect)
    except Exception as e:  # any failure leaves the effect owed; the next try decides
        tries = attempts + 1
        error = type(e).__name__
        if tries >= MAX_ATTEMPTS:
            queue.give_up(effect.id, tries, now, error)
            logger.error("Effect given up", extra={"effect": effect.id, "kind": effect.kind, "error": error})
            return "given_up"
        queue.retry_at(effect.id, tries, now + backoff(tries), error)
        logger.warning("Effect not done yet", extra={"effect": effect.id, "kind": effect.kind, "error": error})
        return "retry"
    queue.done(effect.id, now)
    logger.info("Effect done", extra={"effect": effect.id, "kind": effect.kind})
    return "done"


def delivered(
    effect: Effect,
    handlers: Mapping[str, Handler],
    queue: EffectQueue,
    now: datetime,
    time_left: Callable[[], float] = _unbounded,
) -> Outcome:
    """An effect as the stream delivers it (at least once): carried out unless it is no longer pending, or left
    owed for the schedule when the invocation has too little time left (`time_left`, seconds)."""
    if time_left() < EFFECT_SECONDS:
        return "deferred"
    attempts = queue.pending(effect.id)
    if attempts is None:
        return "not_pending"
    return carry_out(effect, attempts, handlers, queue, now)


def redrive(
    handlers: Mapping[str, Handler],
    queue: EffectQueue,
    now: datetime,
    limit: int = REDRIVE_PAGE,
    time_left: Callable[[], float] = _unbounded,
) -> dict[str, int]:
    """One pass of the schedule: every effect due now (up to `limit`, the longest due first), while the
    invocation has time for one more. An effect that fails is due later, so it leaves the head of the index and
    never holds back the ones behind it; those not reached stay due for the next minute."""
    counts: dict[str, int] = {"done": 0, "retry": 0, "given_up": 0, "not_pending": 0, "deferred": 0}
    due = queue.due(now, limit)
    for i, (effect, attempts) in enumerate(due):
        if time_left() < EFFECT_SECONDS:
            counts["deferred"] = len(due) - i
            break
        counts[carry_out(effect, attempts, handlers, queue, now)] += 1
    return counts
