"""Call notices: a resident holding a ticket opts in to Web Push, or, signed in, to LINE at the LINE account they
linked by LINE Login (never a typed id); each notice ("few ahead", "called") goes once and says only the number,
the counter, the desk and the link."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from aws_lambda_powertools import Logger

from madoguchi.queue.models import (
    LineNotifyRequest,
    Notice,
    Notify,
    NotifyRequest,
    Ticket,
    TicketView,
    notice_text,
    parse_ticket_id,
)
from madoguchi.queue.service.common import QueueDeps, status_url, ticket_view
from madoguchi.queue.service.status import Advance, position, publish
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


def _store(
    ticket: Ticket, notify: Notify, deps: QueueDeps, now: datetime, lang: Lang
) -> tuple[TicketView, list[Notice]]:
    advance = Advance(now)
    written = deps.store.set_notify(ticket, notify.model_dump(mode="json", exclude_none=True), advance)
    notices = publish(written.status, advance, deps.store, written.ticket)
    ahead, wait = position(written.status, written.ticket)
    return ticket_view(written.ticket, lang, ahead, wait), notices


def opt_in(
    tid: str,
    body: NotifyRequest,
    deps: QueueDeps,
    now: datetime,
    *,
    lang: Lang,
    push_hosts: Sequence[str] = (),
    push_origins: Sequence[str] = (),
) -> tuple[TicketView, list[Notice]]:
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
) -> tuple[TicketView, list[Notice]]:
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
