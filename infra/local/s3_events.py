"""S3 object-created events from the emulated service to our handlers, with the event shape AWS sends.

Each catalogue function with `s3_events` gets a real bucket notification (PutBucketNotificationConfiguration,
prefix filter = the bucket's `uploads_prefix`), as CDK configures in the cloud. moto then builds the S3 event
(Records[].eventSource "aws:s3", bucket name, URL-encoded key, size, eTag) for every matching upload —
presigned POSTs included — and hands it to its Lambda backend. AWS invokes asynchronously: so do we, on a
thread, through the same in-process function pools as every other trigger (infra.local.functions).
Also here: the SES sender identity the applications' status e-mails come from (moto keeps what is sent).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from typing import Any

import boto3
from moto.s3 import notifications

from infra import catalogue
from infra.local.functions import Functions
from infra.local.provision import function_arn
from madoguchi.shared.settings import Settings

_pending: list[threading.Thread] = []
_lock = threading.Lock()


def install(functions: Functions) -> None:
    """Deliver moto's S3 notifications for Lambda to our handlers (asynchronously, like S3 does)."""

    def invoke(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
        local_name = fn_arn.rsplit(":", 1)[-1]
        event = json.loads(json.dumps(event_body))

        def run() -> None:
            # S3 retries and then drops a failed delivery; a failed check leaves the attachment pending.
            with contextlib.suppress(Exception):
                functions.by_local_name(local_name).invoke(event)

        thread = threading.Thread(target=run, name=f"s3-event-{local_name}", daemon=True)
        with _lock:
            _pending.append(thread)
        thread.start()

    notifications._invoke_awslambda = invoke


def drain(timeout: float = 30.0) -> None:
    """Wait for the S3 events delivered so far (tests call it instead of sleeping)."""
    with _lock:
        threads, _pending[:] = list(_pending), []
    for thread in threads:
        thread.join(timeout)


def configure() -> None:
    """Bucket notifications from the catalogue, and the verified SES sender."""
    s3: Any = boto3.client("s3")
    by_bucket: dict[str, list[dict[str, Any]]] = {}
    for fn in catalogue.FUNCTIONS:
        for key in fn.s3_events:
            bucket = catalogue.bucket(key)
            rules = [{"Name": "prefix", "Value": bucket.uploads_prefix}] if bucket.uploads_prefix else []
            by_bucket.setdefault(bucket.local_name, []).append(
                {
                    "Id": f"{fn.name}-object-created",
                    "LambdaFunctionArn": function_arn(fn.name),
                    "Events": ["s3:ObjectCreated:*"],
                    **({"Filter": {"Key": {"FilterRules": rules}}} if rules else {}),
                }
            )
    for bucket_name, configurations in by_bucket.items():
        s3.put_bucket_notification_configuration(
            Bucket=bucket_name,
            NotificationConfiguration={"LambdaFunctionConfigurations": configurations},
        )
    # Not settings(): it is cached on first use, and the stack sets more of the environment after this.
    sender = os.environ.get("MAIL_FROM") or str(Settings.model_fields["mail_from"].default)
    boto3.client("sesv2").create_email_identity(EmailIdentity=sender)
