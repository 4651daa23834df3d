"""Queue rules, by what they do: issuing tickets (tickets), staff calling (calling), residents' call notices
(notices) and the counter's cached status with its public reads (status)."""

from madoguchi.queue.service.calling import GraceOver, TicketStateConflict, act, call_next, live_tickets, transfer
from madoguchi.queue.service.common import QueueDeps, estimate_minutes, known_counter, level, staff_view, status_url
from madoguchi.queue.service.notices import (
    LineNotLinked,
    NoticeRequestEmpty,
    deliver_notice,
    opt_in,
    opt_in_line,
    push_endpoint_allowed,
)
from madoguchi.queue.service.status import (
    Advance,
    congestion_now,
    counter_stats,
    counter_status,
    counters,
    day_stats,
    publish,
    view_ticket,
)
from madoguchi.queue.service.tickets import issue, qr_svg

__all__ = [
    "Advance",
    "GraceOver",
    "LineNotLinked",
    "NoticeRequestEmpty",
    "QueueDeps",
    "TicketStateConflict",
    "act",
    "call_next",
    "congestion_now",
    "counter_stats",
    "counter_status",
    "counters",
    "day_stats",
    "deliver_notice",
    "estimate_minutes",
    "issue",
    "known_counter",
    "level",
    "live_tickets",
    "opt_in",
    "opt_in_line",
    "publish",
    "push_endpoint_allowed",
    "qr_svg",
    "staff_view",
    "status_url",
    "transfer",
    "view_ticket",
]
