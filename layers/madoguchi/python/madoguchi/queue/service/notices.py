"""Call notices: a resident holding a ticket opts in to Web Push, or, signed in, to LINE at the LINE account they
linked by LINE Login (never a typed id). Each notice ("few ahead", "called") is claimed in the counter's status and
owed to the outbox by the change that made it due (service.status.Advance); madoguchi.queue.effects delivers it
once, saying only the number, the counter, the desk and the link."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from aws_lambda_powertools import Logger

from madoguchi.queue.models import (
    LineNotifyRequest,
    Notify,
    NotifyRequest,
    OwedNotice,
    Ticket,
    TicketView,
    notice_text,
    parse_ticket_id,
    service_day,
)
from madoguchi.queue.service.common import QueueDeps, status_url, ticket_view
from madoguchi.queue.service.status import Advance, position, publish
from madoguchi.queue.store import SubscriptionUnusable
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, InvalidInput, NotFound
from madoguchi.shared.i18n import Lang

logger = Logger(child=True)


class NoticeRequestEmpty(InvalidInput):
    def __init__(self) -> None:
        super().__init__([(["body"], "queue_notify_channel")])


class LineNotLinked(Conflict):
    """The signed-in resident has not linked a LINE account (the site sends them to /line-link/ first)."""

    code = "line_not_linked"


# Printable ASCII only, and no backslash: urllib3 (under requests, under pywebpush) ends the host at a
# backslash where urlsplit does not, so `http://localhost\\@fcm.googleapis.com/` reads as two different hosts.
_UNSAFE = re.compile(r"[^\x21-\x7e]|\\")
# A DNS name of letters, digits and hyphens whose last label is alphabetic: never an IP literal in any form
# (dotted, decimal 2130706433, hex 0x7f.1, bracketed IPv6) and never a trailing dot.
_DNS_NAME = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def push_endpoint_allowed(endpoint: str, hosts: Sequence[str], origins: Sequence[str] = ()) -> bool:
    """Whether the server may POST to this Web Push endpoint: the URL is read as the HTTP client will read it
    and must agree with the standard parser; then either its origin is one configured exactly (`origins`,
    e.g. the local stack's recording push service) or it is https on the default port to a DNS name that is
    one of `hosts` (the browsers' push services) or under one. Userinfo, backslashes, control characters,
    explicit ports and IP literals are refused."""
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    if _UNSAFE.search(endpoint):
        return False
    try:
        client = parse_url(endpoint)
        parts = urlsplit(endpoint)
        port = parts.port
    except (LocationParseError, ValueError):
        return False
    if "@" in parts.netloc or "%" in parts.netloc or client.auth is not None:
        return False
    host = (parts.hostname or "").lower()
    if (client.scheme, (client.host or "").lower(), client.port) != (parts.scheme.lower(), host, port):
        return False
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    if origin in {o.strip().rstrip("/").lower() for o in origins if o.strip()}:
        return True
    if parts.scheme.lower() != "https" or parts.netloc.lower() != host or not _DNS_NAME.match(host):
        return False
    return any(host == h or host.endswith("." + h) for h in hosts)


def _ticket(tid: str, deps: QueueDeps) -> Ticket:
    parsed = parse_ticket_id(tid)
    if parsed is None:
        raise NotFound(ticket=tid)
    ticket = deps.store.get(parsed[0], parsed[1], parsed[2])
    if ticket is None or ticket.key != parsed[3]:
        raise NotFound(ticket=tid)
    return ticket


def _store(ticket: Ticket, notify: Notify, deps: QueueDeps, now: datetime, lang: Lang) -> TicketView:
    advance = Advance(now)
    written = deps.store.set_notify(ticket, notify.model_dump(mode="json", exclude_none=True), advance)
    publish(written.status, deps.store)
    ahead, wait = position(written.status, written.ticket)
    return ticket_view(written.ticket, lang, ahead, wait)


def opt_in(
    tid: str,
    body: NotifyRequest,
    deps: QueueDeps,
    now: datetime,
    *,
    lang: Lang,
    push_hosts: Sequence[str] = (),
    push_origins: Sequence[str] = (),
) -> TicketView:
    """Web Push, for whoever holds the ticket id. A LINE account already linked to the ticket stays."""
    if parse_ticket_id(tid) is None:
        raise NotFound(ticket=tid)
    if not body.webpush:
        raise NoticeRequestEmpty()
    if not push_endpoint_allowed(body.webpush.endpoint, push_hosts, push_origins):
        raise InvalidInput([(["body", "webpush", "endpoint"], "queue_push_service")])
    ticket = _ticket(tid, deps)
    line_user_id = ticket.notify.line_user_id if ticket.notify else None
    notify = Notify(lang=body.lang, ahead=body.ahead, line_user_id=line_user_id, webpush=body.webpush)
    return _store(ticket, notify, deps, now, lang)


def opt_in_line(
    tid: str, body: LineNotifyRequest, caller: Caller | None, deps: QueueDeps, now: datetime, *, lang: Lang
) -> TicketView:
    """LINE, for a signed-in resident holding the ticket id: the LINE account is the one this resident linked by
    LINE Login, looked up here; the request names none, so no one can make the city push to someone else."""
    resident = require(caller, Role.RESIDENT)
    ticket = _ticket(tid, deps)
    line_user_id = deps.line_account(resident.sub) if deps.line_account is not None else None
    if not line_user_id:
        raise LineNotLinked()
    webpush = ticket.notify.webpush if ticket.notify else None
    notify = Notify(lang=body.lang, ahead=body.ahead, line_user_id=line_user_id, webpush=webpush)
    return _store(ticket, notify, deps, now, lang)


def still_true(owed: OwedNotice, ticket: Ticket, key: str, now: datetime) -> bool:
    """Whether an owed notice still says something true when it is delivered (a retry may come an hour later):
    today's ticket, still opted in, and for "called" still called by the same call (a recall owes its own),
    for "ahead" still waiting (once called, the "called" notice says more). Otherwise it is moot: not sent."""
    if ticket.key != key or ticket.day != service_day(now):
        return False
    if owed.notice == "called":
        return ticket.state == "called" and ticket.recalls == owed.recalls
    return ticket.state == "waiting"


def deliver_notice(owed: OwedNotice, deps: QueueDeps, now: datetime, *, base_url: str) -> bool:
    """Deliver a notice the outbox owes (madoguchi.queue.effects), in the language and to the channels of the
    ticket's opt-in as they are now. True when sent, False when moot. Raises when a channel failed: the effect
    is retried later. LINE delivers a push once per retry key (the ticket, the notice, the call), so a retry
    after LINE accepted it sends nothing twice; Web Push carries a topic, so the push service replaces a copy it
    still holds."""
    parsed = parse_ticket_id(owed.ticket)
    if parsed is None:
        return False
    counter, day, number, key = parsed
    ticket = deps.store.get(counter, day, number)
    if ticket is None or ticket.notify is None or not still_true(owed, ticket, key, now):
        return False
    ahead = owed.ahead
    if owed.notice == "ahead" and (status := deps.store.status(counter, day)) is not None:
        ahead = position(status, ticket)[0] or 0  # the count as it is now, one small read
    notify = ticket.notify
    text = notice_text(owed.notice, ticket, notify.lang, status_url(base_url, ticket.id), ahead)
    retry_key = uuid.uuid5(uuid.NAMESPACE_URL, f"{ticket.id}:{owed.notice}:{owed.recalls}")
    if notify.line_user_id and deps.line is not None:
        deps.line.push(notify.line_user_id, [text], retry_key=str(retry_key))
    if notify.webpush and deps.webpush is not None:
        try:
            deps.webpush.send(notify.webpush.model_dump(), text, topic=retry_key.hex[:32])
        except SubscriptionUnusable:  # withdrawn, expired or never valid: nothing to deliver there, ever
            logger.info("Push subscription unusable", extra={"kind": owed.notice})
    return True
