"""The local outbox: the e-mails our functions sent through SES (v2), as the emulated SES recorded them.

Served by the local gateway at GET /_local/outbox (never deployed) and shown by web/outbox/.
"""

from __future__ import annotations

from typing import Any

from moto.ses.models import ses_backends

from infra.local.functions import ACCOUNT, REGION


def sent(to: str | None = None) -> list[dict[str, Any]]:
    """Newest first; `to` keeps the messages to one address."""
    messages = []
    for message in ses_backends[ACCOUNT][REGION].sent_messages:
        recipients = list(getattr(message, "destinations", {}).get("ToAddresses", []))
        if to and to not in recipients:
            continue
        messages.append(
            {
                "id": message.id,
                "from": message.source,
                "to": recipients,
                "subject": getattr(message, "subject", ""),
                "body": getattr(message, "body", ""),
            }
        )
    return messages[::-1]
