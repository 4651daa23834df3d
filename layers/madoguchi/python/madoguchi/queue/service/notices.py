"""Call notices: a resident holding a ticket opts in to LINE or Web Push; each notice ("few ahead", "called")
goes once and says only the number, the counter, the desk and the link."""

from __future__ import annotations

import uuid
from datetime import datetime

from aws_lambda_powertools import Logger

from madoguchi.queue.models import Notice, Notify, NotifyRequest, TicketView, notice_text, parse_ticket_id
from madoguchi.queue.service.common import QueueDeps, status_url, ticket_view
from madoguchi.queue.service.status import position, refresh
from madoguchi.shared.errors import InvalidInput, NotFound
from madoguchi.shared.i18n import Lang

logger = Logger(child=True)


class NoticeRequestEmpty(InvalidInput):
    def __init__(self) -> None:
        super().__init__([(["body"], "queue_notify_channel")])


def push_endpoint_allowed(endpoint: str, hosts: list[str], allow_http: bool) -> bool:
    """Only a known browser push service (https, host or subdomain of an allowed one)."""
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        return False
    return any(host == h or host.endswith("." + h) for h in hosts)


def opt_in(tid: str, body: NotifyRequest, deps: QueueDeps, now: datetime, *, lang: Lang,
           push_hosts: list[str] | None = None, allow_http: bool = False) -> tuple[TicketView, list[Notice]]:
    parsed = parse_ticket_id(tid)
    if parsed is None:
        raise NotFound(ticket=tid)
    if not body.line_user_id and not body.webpush:
        raise NoticeRequestEmpty()
    if body.webpush and not push_endpoint_allowed(body.webpush.endpoint, push_hosts or [], allow_http):
        raise InvalidInput([(["body", "webpush", "endpoint"], "queue_push_service")])
    store = deps.store
    ticket = store.get(parsed[0], parsed[1], parsed[2])
    if ticket is None or ticket.key != parsed[3]:
        raise NotFound(ticket=tid)
    notify = Notify(lang=body.lang, ahead=body.ahead, line_user_id=body.line_user_id, webpush=body.webpush)
    stored = store.set_notify(ticket, notify.model_dump(mode="json", exclude_none=True))
    status, notices = refresh(ticket.counter, ticket.day, store, now)
    ahead, wait = position(status, stored)
    return ticket_view(stored, lang, ahead, wait), notices


def send_notices(notices: list[Notice], deps: QueueDeps, *, base_url: str) -> int:
    """Send each notice once (the flag is set first with a conditional write: at most once, never twice).
    A failed delivery is logged by type and does not undo the staff action. Returns how many were sent."""
    sent = 0
    for notice in notices:
        t, notify = notice.ticket, notice.ticket.notify
        if notify is None or not deps.store.mark_notified(t, notice.kind):
            continue
        text = notice_text(notice.kind, t, notify.lang, status_url(base_url, t.id), notice.ahead)
        try:
            if notify.line_user_id and deps.line is not None:
                retry_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{t.id}:{notice.kind}:{t.recalls}"))
                deps.line.push(notify.line_user_id, [text], retry_key=retry_key)
            if notify.webpush and deps.webpush is not None:
                deps.webpush.send(notify.webpush.model_dump(), text)
            sent += 1
        except Exception as e:  # delivery is best effort; the queue has moved on either way
            logger.warning("Notice not delivered", extra={"error_type": type(e).__name__, "kind": notice.kind})
    return sent
