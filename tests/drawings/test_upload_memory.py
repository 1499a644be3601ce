"""Memory (issue 11): a 200 MB upload through the page's own path grows the peak RSS of
the process that receives the bytes by less than 100 MB.

The page's own path: the real ASGI server (uvicorn, started as `kumiai run` starts it) in
its own process, a session from the login form, and the multipart POST to /api/drawings
with the CSRF header that drawing-upload.js sends. The body is generated chunk by chunk,
so this process never holds the file either. Peak RSS is the kernel's high-water mark
(VmHWM) of the server process, reset to its current RSS just before the upload and read
after it.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from drawings.models import Revision, RevisionStatus
from kumiai import objectstore
from kumiai.stack.services import free_port
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

PLATFORM = Path(__file__).resolve().parents[2] / "platform"

UPLOAD_BYTES = 200 * 2**20
MAX_GROWTH_BYTES = 100 * 2**20
CHUNK_BYTES = 2**20
PDF_HEAD = b"%PDF-1.4\n"  # a PDF is stored, not analysed: the test is about the bytes


def server_env() -> dict[str, str]:
    """This test's database for the server process; every other service as pytest has it."""
    s = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    )
    env["DJANGO_SETTINGS_MODULE"] = "kumiai.settings"
    return env


@pytest.fixture
def asgi_server(tmp_path):  # type: ignore[no-untyped-def]
    port = free_port()
    log = tmp_path / "uvicorn.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "kumiai.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
        ],
        cwd=PLATFORM,
        env=server_env(),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def listening() -> bool:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                return False

        wait_until(
            listening,
            dead=lambda: None if proc.poll() is None else f"uvicorn exited:\n{log.read_text()}",
        )
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def peak_rss_bytes(pid: int) -> tuple[int, int]:
    """(VmHWM, VmRSS) of a process, in bytes."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmHWM", "VmRSS"}:
            fields[name] = int(value.split()[0]) * 1024  # the kernel writes kB
    return fields["VmHWM"], fields["VmRSS"]


def reset_peak_rss(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class Browser:
    """Just enough of a browser: one connection per request, cookies kept."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | Iterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            all_headers = {"Accept-Language": "en", **(headers or {})}
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.read()
        finally:
            conn.close()

    def log_in(self, email: str, password: str) -> None:
        status, _ = self.request("GET", "/login/")
        assert status == 200 and "csrftoken" in self.cookies
        form = urlencode(
            {
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
                "email": email,
                "password": password,
            }
        ).encode()
        status, _ = self.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
            },
        )
        assert status == 302 and "sessionid" in self.cookies, status

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def upload(self, file_name: str, chunks: Iterator[bytes], size_bytes: int) -> tuple[int, dict]:
        """POST /api/drawings as drawing-upload.js does: multipart `file`, X-CSRFToken,
        a Content-Length known up front (a browser's FormData has one), body streamed."""
        boundary = f"----kumiai{secrets.token_hex(16)}"
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def body() -> Iterator[bytes]:
            yield head
            yield from chunks
            yield tail

        status, raw = self.request(
            "POST",
            "/api/drawings",
            body=body(),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(len(head) + size_bytes + len(tail)),
                "X-CSRFToken": self.cookies["csrftoken"],
                "Accept": "application/json",
                "Origin": self.origin,
            },
        )
        return status, json.loads(raw)


def pdf_chunks(size_bytes: int, sha256: hashlib._Hash) -> Iterator[bytes]:
    """A PDF-headed file of exactly `size_bytes` of random bytes (so no store can dedupe or
    compress it away), hashed as it is generated."""
    first = PDF_HEAD + os.urandom(min(CHUNK_BYTES, size_bytes) - len(PDF_HEAD))
    sha256.update(first)
    yield first
    left = size_bytes - len(first)
    while left:
        chunk = os.urandom(min(CHUNK_BYTES, left))
        sha256.update(chunk)
        left -= len(chunk)
        yield chunk


def stored_sha256(key: str) -> str:
    digest = hashlib.sha256()
    for chunk in objectstore.iter_object(key, chunk_bytes=CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()


@pytest.mark.timeout(900)  # bounds a hung run only; nothing here asserts on time
def test_a_200_mb_upload_grows_the_receiving_process_peak_rss_by_less_than_100_mb(
    world, password, asgi_server
):  # type: ignore[no-untyped-def]
    proc, port = asgi_server
    browser = Browser(port)
    browser.log_in("alice@a.example", password)

    # Warm up the same path with a small file, so the figure is the big file's own cost
    # and not the first import of the multipart parser or the S3 client.
    status, body = browser.upload("warm-up.pdf", pdf_chunks(64 * 1024, hashlib.sha256()), 64 * 1024)
    assert status == 201, body
    # Signing in hashes the password with Argon2, which peaks about 100 MiB above the
    # resting RSS; left in place, that peak would hide up to as much growth from the
    # upload. Writing 5 to clear_refs resets the process's peak to its current RSS.
    reset_peak_rss(proc.pid)
    hwm_before, rss_before = peak_rss_bytes(proc.pid)
    sent_sha = hashlib.sha256()
    status, body = browser.upload("big.pdf", pdf_chunks(UPLOAD_BYTES, sent_sha), UPLOAD_BYTES)
    hwm_after, rss_after = peak_rss_bytes(proc.pid)

    growth = hwm_after - hwm_before
    mib = 2**20
    print(
        f"\nserver pid {proc.pid}: VmHWM {hwm_before / mib:.1f} MiB -> {hwm_after / mib:.1f} MiB "
        f"(growth {growth / mib:.1f} MiB); VmRSS {rss_before / mib:.1f} MiB -> "
        f"{rss_after / mib:.1f} MiB; upload {UPLOAD_BYTES / mib:.0f} MiB"
    )
    assert status == 201, body
    assert growth < MAX_GROWTH_BYTES, f"peak RSS grew by {growth / mib:.1f} MiB"

    rev = Revision.objects.get(drawing_id=body["id"], number=body["revision"])
    assert rev.status == RevisionStatus.STORED
    assert rev.size_bytes == UPLOAD_BYTES
    assert rev.sha256 == sent_sha.hexdigest()
    stat = objectstore.client().stat_object(objectstore.bucket(), rev.object_key)
    assert stat.size == UPLOAD_BYTES
    assert stored_sha256(rev.object_key) == sent_sha.hexdigest()
