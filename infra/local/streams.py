"""DynamoDB stream records from the emulated tables to our consumers, the way Lambda's event source mapping does.

For each catalogue function with `streams`, a poller reads the table's stream through the emulated DynamoDB
Streams API (GetShardIterator, GetRecords), keeps the records the cloud's filter keeps (new items: eventName
INSERT), and invokes the same handler with the event AWS sends ({"Records": [...]}, `eventSourceARN`, numeric
`ApproximateCreationDateTime`), in batches of STREAM_BATCH_SIZE, in order. Like the event source mapping:
- a handler that raises has its whole batch retried; one that answers `batchItemFailures` is retried from the
  first failed record (ReportBatchItemFailures); both up to STREAM_RETRY_ATTEMPTS times;
- a batch still failing is then described on the function's on-failure queue (SQS, `<function>-stream-failures`)
  in the shape AWS writes (`DDBStreamBatchInfo`: shard, first and last sequence numbers), and the poller moves on.
Polling, rather than moto's own delivery: moto delivers inside the writer's request, under the table lock that
infra.local.dynamodb_isolation adds, so a consumer writing to DynamoDB from there would wait for itself.
`make run` polls in a thread; tests call drain() to have everything written so far delivered before they look.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from infra import catalogue
from infra.local.functions import ACCOUNT, REGION, Functions
from infra.redrive import lambda_record

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5


def failure_queue_name(fn: catalogue.Function) -> str:
    return f"{fn.local_name}-stream-failures"


@dataclass
class _Mapping:
    fn: catalogue.Function
    stream_arn: str
    shard_id: str
    queue_url: str
    checkpoint: str | None = None  # sequence number of the last record handled (delivered, or given up on)


class StreamDelivery:
    def __init__(self, functions: Functions) -> None:
        self.functions = functions
        self.mappings: list[_Mapping] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._streams: Any = None

    def configure(self) -> StreamDelivery:
        """One mapping per function × stream, from the start of each stream (TRIM_HORIZON), and its failure queue."""
        dynamodb = boto3.client("dynamodb")
        self._streams = boto3.client("dynamodbstreams")
        sqs = boto3.client("sqs")
        for fn in catalogue.FUNCTIONS:
            for key in fn.streams:
                arn = dynamodb.describe_table(TableName=catalogue.table(key).local_name)["Table"]["LatestStreamArn"]
                shard = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
                queue_url = sqs.create_queue(QueueName=failure_queue_name(fn))["QueueUrl"]
                self.mappings.append(_Mapping(fn, arn, shard, queue_url))
        return self

    def start(self) -> StreamDelivery:
        self._thread = threading.Thread(target=self._loop, name="dynamodb-streams", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @contextmanager
    def held(self) -> Iterator[None]:
        """No record is delivered while inside (tests: "the function was killed after its write", the change
        written and nothing after it has run); on leaving, delivery goes on where it stopped."""
        with self._lock:
            yield

    def drain(self, rounds: int = 100) -> None:
        """Deliver every record written so far (tests call it instead of sleeping)."""
        for _ in range(rounds):
            if self.poll() == 0:
                return
        raise RuntimeError("streams still had records after draining")

    def poll(self) -> int:
        """One round over every mapping; how many records were handled (delivered or given up on)."""
        with self._lock:
            return sum(self._poll(m) for m in self.mappings)

    def _loop(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.poll()
            except Exception:  # the emulator going away at shutdown; the next round tries again
                log.exception("stream poll failed")

    def _poll(self, m: _Mapping) -> int:
        where = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": m.checkpoint}
            if m.checkpoint
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = self._streams.get_shard_iterator(StreamArn=m.stream_arn, ShardId=m.shard_id, **where)
        records = self._streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=catalogue.STREAM_BATCH_SIZE)[
            "Records"
        ]
        if not records:
            return 0
        batch = [lambda_record(r, m.stream_arn, REGION) for r in records if r["eventName"] == "INSERT"]  # the filter
        if batch:
            self._deliver(m, batch)
        m.checkpoint = records[-1]["dynamodb"]["SequenceNumber"]
        return len(records)

    def _deliver(self, m: _Mapping, batch: list[dict[str, Any]]) -> None:
        pending = batch
        for _attempt in range(1 + catalogue.STREAM_RETRY_ATTEMPTS):
            try:
                result = self.functions.pools[m.fn.name].invoke({"Records": pending})
            except Exception:
                log.warning("stream consumer %s failed; retrying its batch", m.fn.name)
                continue
            failures = (result or {}).get("batchItemFailures") or []
            if not failures:
                return
            first = min(int(f["itemIdentifier"]) for f in failures)
            pending = [r for r in pending if int(r["dynamodb"]["SequenceNumber"]) >= first]
        self._give_up(m, pending)

    def _give_up(self, m: _Mapping, batch: list[dict[str, Any]]) -> None:
        """What the event source mapping writes to an on-failure destination: where the batch is, not the batch."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{m.fn.local_name}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": 1 + catalogue.STREAM_RETRY_ATTEMPTS,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": now,
            "DDBStreamBatchInfo": {
                "shardId": m.shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(batch),
                "streamArn": m.stream_arn,
            },
        }
        boto3.client("sqs").send_message(QueueUrl=m.queue_url, MessageBody=json.dumps(message, default=str))
