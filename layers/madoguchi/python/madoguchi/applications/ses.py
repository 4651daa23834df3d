"""Status e-mails through Amazon SES (v2 API). The local stack's moto records them (the outbox)."""

from __future__ import annotations

from typing import Any

import boto3

from madoguchi.applications.store import Mailer
from madoguchi.shared.aws import provider_config


class SesMailer(Mailer):
    def __init__(self, sender: str) -> None:
        self._sender = sender
        self._ses: Any = boto3.client("sesv2", config=provider_config())

    def send(self, to: str, subject: str, body: str) -> None:
        self._ses.send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={
                "Simple": {
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
                }
            },
        )
