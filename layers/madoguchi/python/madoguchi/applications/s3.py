"""The attachments bucket: presigned POST uploads (size and type conditions), checked files, signed links.

uploads/<application>/<attachment>  what residents post; expires after a day (lifecycle rule), checked or not
files/<application>/<attachment>    the checked, re-encoded copy; tagged `referenced=false` until an application
                                    that uses it is submitted (a lifecycle rule expires unreferenced files)
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from madoguchi.applications.store import Attachments, NoSuchFile, StorageUnavailable
from madoguchi.shared.aws import provider_config

UNREFERENCED = "referenced=false"


class S3Attachments(Attachments):
    def __init__(self, bucket: str) -> None:
        self._bucket = bucket
        # Path-style and SigV4: presigned URLs work the same against S3 and the local emulation.
        self._s3: Any = boto3.client(
            "s3", config=provider_config(signature_version="s3v4", s3={"addressing_style": "path"})
        )

    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        post = self._s3.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return str(post["url"]), {k: str(v) for k, v in post["fields"].items()}

    def link(self, key: str, expires_in: int) -> str:
        return str(
            self._s3.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
            )
        )

    def read(self, key: str, max_bytes: int) -> bytes:
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"]
        except ClientError as e:
            if e.response["Error"]["Code"] in ("NoSuchKey", "404"):
                raise NoSuchFile(key) from e
            raise
        return bytes(body.read(max_bytes + 1))

    def write(self, key: str, body: bytes, content_type: str) -> None:
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type, Tagging=UNREFERENCED)

    def write_new(self, key: str, body: bytes, content_type: str) -> bool:
        try:
            self._s3.put_object(
                Bucket=self._bucket, Key=key, Body=body, ContentType=content_type, Tagging=UNREFERENCED, IfNoneMatch="*"
            )
        except ClientError as e:
            # 412: the key holds a file; 409: a parallel conditional write to it is in progress
            if e.response["Error"]["Code"] in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=key)

    def mark_referenced(self, key: str) -> None:
        try:
            self._s3.put_object_tagging(
                Bucket=self._bucket, Key=key, Tagging={"TagSet": [{"Key": "referenced", "Value": "true"}]}
            )
        except (ClientError, BotoCoreError, ResponseParserError) as e:  # after the SDK's retries
            raise StorageUnavailable() from e
