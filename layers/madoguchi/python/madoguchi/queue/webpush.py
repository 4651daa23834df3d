"""Web Push through pywebpush: the payload is encrypted for the browser (RFC 8291) and the request to its push
service is signed with the city's VAPID key (RFC 8292). The push service's address comes from the browser's
subscription, so nothing here differs between the cloud and the local stack."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from madoguchi.queue.store import SubscriptionUnusable, WebPushSender

GONE = (404, 410)  # RFC 8030: the subscription expired or was withdrawn


class PyWebPush(WebPushSender):
    def __init__(self, private_key: str, public_key: str, subject: str) -> None:
        self._private_key = private_key
        self.public_key = public_key
        self._subject = subject

    def send(self, subscription: Mapping[str, Any], text: str, topic: str | None = None) -> None:
        from pywebpush import WebPushException, webpush  # imported on first delivery only

        try:
            webpush(
                subscription_info=dict(subscription),
                data=json.dumps({"title": "Madoguchi", "body": text}, ensure_ascii=False),
                vapid_private_key=self._private_key,
                vapid_claims={"sub": self._subject},
                ttl=600,
                timeout=5,
                headers={"Topic": topic} if topic else None,
            )
        except WebPushException as e:
            # No answer at all: refused before sending (keys missing); else the push service's answer
            if e.response is None or getattr(e.response, "status_code", None) in GONE:
                raise SubscriptionUnusable() from e
            raise
        except ValueError as e:  # keys that are no browser's (not base64, not a P-256 point): before any request
            raise SubscriptionUnusable() from e
