"""The object store (MinIO in production, SeaweedFS embedded), through the minio SDK.

Timeouts are short and retries off: a store that is down must make a request fail
fast with a clear error, not hang a worker.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import BinaryIO

import urllib3
from asgiref.sync import sync_to_async
from django.conf import settings
from minio import Minio


class ObjectStoreUnavailable(ConnectionError):
    """The store did not answer. A ConnectionError, so tasks retry it as transient."""


@contextmanager
def _answering() -> Iterator[None]:
    try:
        yield
    except urllib3.exceptions.HTTPError as exc:
        raise ObjectStoreUnavailable(f"object store unavailable: {type(exc).__name__}") from exc


@lru_cache(maxsize=4)
def _client(endpoint: str, secure: bool, access_key: str, secret_key: str, region: str) -> Minio:
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=2.0, read=30.0),
        retries=urllib3.Retry(total=0),
        maxsize=16,
    )
    return Minio(
        endpoint,
        access_key=access_key,
        secret_key=secret_key,
        secure=secure,
        region=region,
        http_client=http,
    )


def client() -> Minio:
    s3 = settings.S3
    if not s3.endpoint_host:
        raise ObjectStoreUnavailable("S3_ENDPOINT is not set")
    return _client(s3.endpoint_host, s3.secure, s3.access_key, s3.secret_key, s3.region)


def bucket() -> str:
    return str(settings.S3.bucket)


def ensure_bucket() -> None:
    with _answering():
        c = client()
        if not c.bucket_exists(bucket()):
            c.make_bucket(bucket())


def put_bytes(key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
    with _answering():
        client().put_object(bucket(), key, io.BytesIO(data), len(data), content_type=content_type)


def get_bytes(key: str) -> bytes:
    with _answering():
        response = client().get_object(bucket(), key)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()


class HashingReader:
    """Reads through to a file object and keeps the sha256 and the size of what passed:
    the content address is known once the upload ends, without a second read."""

    def __init__(self, raw: BinaryIO, limit_bytes: int | None = None) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.limit_bytes = limit_bytes

    def read(self, n: int = -1) -> bytes:
        chunk = self.raw.read(n)
        self.size += len(chunk)
        if self.limit_bytes is not None and self.size > self.limit_bytes:
            raise TooLarge(self.limit_bytes)
        self.sha256.update(chunk)
        return chunk


class TooLarge(ValueError):
    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"larger than {limit_bytes} bytes")
        self.limit_bytes = limit_bytes


# Parts of a multipart upload, sent one at a time: the SDK holds a part (and copies of
# it) while it is sent, so this bounds memory. S3's minimum part is 5 MiB, and 10,000
# parts of 8 MiB are far above the upload limit. (3 parallel 16 MiB parts grew a web
# process by 80-97 MiB on a 200 MB upload; this, by 25-35 MiB.)
PART_BYTES = 8 * 1024 * 1024


def put_stream(
    key: str,
    raw: BinaryIO,
    content_type: str = "application/octet-stream",
    limit_bytes: int | None = None,
) -> HashingReader:
    """Stream a file object of unknown length to `key` (multipart, part by part), hashing
    it on the way. Returns the reader, which holds the sha256 and the size."""
    reader = HashingReader(raw, limit_bytes)
    with _answering():
        client().put_object(
            bucket(),
            key,
            reader,
            length=-1,
            part_size=PART_BYTES,
            num_parallel_uploads=1,
            content_type=content_type,
        )
    return reader


def exists(key: str) -> bool:
    from minio.error import S3Error

    with _answering():
        try:
            client().stat_object(bucket(), key)
            return True
        except S3Error as exc:
            if exc.code in {"NoSuchKey", "NoSuchObject", "NotFound"}:
                return False
            raise


def copy(source_key: str, dest_key: str) -> None:
    from minio.commonconfig import CopySource

    with _answering():
        client().copy_object(bucket(), dest_key, CopySource(bucket(), source_key))


def presigned_get(key: str, *, expires_s: int, file_name: str) -> str:
    """A download URL that works for `expires_s` seconds, for whoever holds it: hand it
    out only after an access check."""
    from datetime import timedelta
    from urllib.parse import quote

    with _answering():
        return client().presigned_get_object(
            bucket(),
            key,
            expires=timedelta(seconds=expires_s),
            response_headers={
                "response-content-disposition": f"attachment; filename*=UTF-8''{quote(file_name)}"
            },
        )


def remove(key: str) -> None:
    with _answering():
        client().remove_object(bucket(), key)


def iter_object(key: str, chunk_bytes: int = 64 * 1024) -> Iterator[bytes]:
    """Stream an object without holding it whole in memory."""
    with _answering():
        response = client().get_object(bucket(), key)
        try:
            yield from response.stream(chunk_bytes)
        finally:
            response.close()
            response.release_conn()


async def aiter_object(key: str, chunk_bytes: int = 64 * 1024) -> AsyncIterator[bytes]:
    """The same stream for ASGI responses: Django reads a *sync* iterator whole into
    memory before sending it, so downloads go through this one, chunk by chunk."""
    chunks = iter_object(key, chunk_bytes)
    done = object()
    try:
        while True:
            chunk = await sync_to_async(next, thread_sensitive=False)(chunks, done)
            if chunk is done:
                return
            yield chunk  # type: ignore[misc]
    finally:
        # A client that hangs up must not leave the connection to the store open.
        await sync_to_async(chunks.close, thread_sensitive=False)()
