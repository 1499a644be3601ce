"""The object store (MinIO in production, SeaweedFS embedded), through the minio SDK.

Timeouts are short and retries off: a store that is down must make a request fail
fast with a clear error, not hang a worker.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import lru_cache

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
