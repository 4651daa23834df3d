"""Redrive a stream consumer's on-failure queue: every batch the event source mapping gave up on is read again from
the stream and handed to the function, once the cause is fixed (docs/operations.md, "Outbox").

The queue holds where each batch is (`DDBStreamBatchInfo`: stream, shard, first and last sequence numbers), not
its records; the stream keeps records 24 hours, so redrive within a day. Consumers count each event id once, so a
batch redriven twice, or one whose records partly got through, counts nothing twice. A message is deleted only
after the function took its whole batch. Works the same against the cloud and the local stack:
`python -m infra.redrive <function name> <queue url>`.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import boto3


def lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record as Lambda's event source mapping hands it to a function."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def batch_records(streams: Any, info: dict[str, Any]) -> list[dict[str, Any]]:
    """The new-item records from startSequenceNumber to endSequenceNumber of one shard."""
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    end = int(info["endSequenceNumber"])
    found: list[dict[str, Any]] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        records = page["Records"]
        for record in records:
            if int(record["dynamodb"]["SequenceNumber"]) > end:
                return found
            if record["eventName"] == "INSERT":
                found.append(lambda_record(record, info["streamArn"], streams.meta.region_name))
        if not records:
            return found
        iterator = page.get("NextShardIterator")
    return found


def redrive(function_name: str, queue_url: str) -> int:
    """Hand every failed batch on the queue to the function again; how many batches went through."""
    sqs, streams, lambda_ = boto3.client("sqs"), boto3.client("dynamodbstreams"), boto3.client("lambda")
    done = 0
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            info = json.loads(message["Body"])["DDBStreamBatchInfo"]
            records = batch_records(streams, info)
            response = lambda_.invoke(FunctionName=function_name, Payload=json.dumps({"Records": records}))
            answer = json.loads(response["Payload"].read() or b"{}")
            if response.get("FunctionError") or (answer or {}).get("batchItemFailures"):
                raise RuntimeError(f"{function_name} failed the batch again; the message stays on the queue")
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            done += 1
    return done


if __name__ == "__main__":
    print(f"{redrive(sys.argv[1], sys.argv[2])} batch(es) redriven")
