"""The JPKI trust (CA certificates and CRLs) from the deployment's `jpki` bucket, cached per container.

Layout, uploaded by the city (docs/operations.md, "JPKI trust"): `ca/<name>.pem` holds CA certificates (PEM, one
or more per object), `crl/<name>` the current CRL of each CA (DER as J-LIS publishes it, or PEM). The objects are
re-read at most every `jpki_cache_seconds`; a read that fails keeps no half-loaded trust.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3

from madoguchi.kiosk.jpki import JpkiTrust
from madoguchi.kiosk.models import KioskUnavailable
from madoguchi.kiosk.store import TrustSource

CA_PREFIX = "ca/"
CRL_PREFIX = "crl/"


class S3JpkiTrust(TrustSource):
    def __init__(self, bucket: str, cache_seconds: float) -> None:
        self._bucket = bucket
        self._cache_seconds = cache_seconds
        self._s3: Any = boto3.client("s3")
        self._lock = threading.Lock()
        self._trust: JpkiTrust | None = None
        self._loaded_at = 0.0

    def current(self) -> JpkiTrust:
        with self._lock:
            if self._trust is None or time.monotonic() - self._loaded_at >= self._cache_seconds:
                self._trust = self._load()
                self._loaded_at = time.monotonic()
            return self._trust

    def _load(self) -> JpkiTrust:
        authorities = b"".join(self._objects(CA_PREFIX))
        if not authorities.strip():
            raise KioskUnavailable()  # no CA configured: refuse before a resident types a PIN
        try:
            return JpkiTrust.from_pem(authorities, self._objects(CRL_PREFIX))
        except ValueError as error:
            raise KioskUnavailable() from error

    def _objects(self, prefix: str) -> list[bytes]:
        paginator = self._s3.get_paginator("list_objects_v2")
        keys = [
            item["Key"]
            for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix)
            for item in page.get("Contents", [])
            if not item["Key"].endswith("/")
        ]
        return [self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read() for key in sorted(keys)]
