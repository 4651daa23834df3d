"""The queue's effects, carried out by the outbox worker (functions/outbox_effects): `queue.notice`, a call notice
("few ahead", "called") owed by the change that made it due, delivered over LINE and Web Push."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aws_lambda_powertools import Logger

from madoguchi.effects.models import Effect
from madoguchi.effects.service import Handler
from madoguchi.queue.models import NOTICE_EFFECT, OwedNotice
from madoguchi.queue.service.common import QueueDeps
from madoguchi.queue.service.notices import deliver_notice
from madoguchi.shared.clock import now

logger = Logger(child=True)


def handlers(
    deps: Callable[[], QueueDeps], *, base_url: Callable[[], str], clock: Callable[[], datetime] = now
) -> dict[str, Handler]:
    """`deps`: the queue store and the LINE and Web Push senders (built on the first notice); `base_url`: the
    site's address for the status link (shared.public_origin, passed by the worker's handler, which is flagged
    `builds_links`); `clock`: the time, to tell a notice still true from a moot one."""

    def notice(effect: Effect) -> None:
        owed = OwedNotice.model_validate(effect.payload)
        if not deliver_notice(owed, deps(), clock(), base_url=base_url()):
            logger.info("Notice moot", extra={"effect": effect.id, "notice": owed.notice})

    return {NOTICE_EFFECT: notice}
