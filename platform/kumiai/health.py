"""A real round trip to each component; /healthz answers 200 only when every one answers."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from . import objectstore

CHECK_TIMEOUT_S = 6.0


@dataclass(frozen=True)
class ComponentState:
    name: str
    ok: bool
    detail: str
    latency_ms: float

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail, "latency_ms": round(self.latency_ms, 1)}


# The search features stand on these; a database without them is not healthy.
REQUIRED_EXTENSIONS = ("vector", "pg_trgm")


def check_database() -> str:
    try:
        with connection.cursor() as cur:
            cur.execute("show server_version")
            (version,) = cur.fetchone()
            cur.execute(
                "select extname, extversion from pg_extension where extname = any(%s)",
                [list(REQUIRED_EXTENSIONS)],
            )
            found = dict(cur.fetchall())
    finally:
        connection.close()  # called from a worker thread: leave no connection behind
    missing = [name for name in REQUIRED_EXTENSIONS if name not in found]
    if missing:
        raise RuntimeError(f"PostgreSQL {version}: extension(s) missing: {', '.join(missing)}")
    extensions = ", ".join(f"{name} {found[name]}" for name in REQUIRED_EXTENSIONS)
    return f"PostgreSQL {version.split()[0]}; {extensions}"


def check_object_store() -> str:
    key = f"health/{secrets.token_hex(8)}"
    payload = secrets.token_bytes(32)
    objectstore.put_bytes(key, payload)
    try:
        if objectstore.get_bytes(key) != payload:
            raise RuntimeError("object read back differs from what was written")
    finally:
        objectstore.remove(key)
    return "put/get/delete ok"


def check_redis() -> str:
    client = cache._cache.get_client()  # type: ignore[attr-defined]
    if not client.ping():
        raise RuntimeError("no PONG")
    return "ping ok"


def check_worker() -> str:
    from .celery import ping

    result = ping.apply_async(expires=CHECK_TIMEOUT_S)
    try:
        answer = result.get(timeout=CHECK_TIMEOUT_S - 1, propagate=True)
    finally:
        result.forget()
    if answer != "pong":
        raise RuntimeError(f"unexpected answer {answer!r}")
    return "task round trip ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "object_store": check_object_store,
    "redis": check_redis,
    "worker": check_worker,
}


def _timed(name: str, fn: Callable[[], str]) -> ComponentState:
    start = time.perf_counter()
    try:
        detail = fn()
        return ComponentState(name, True, detail, (time.perf_counter() - start) * 1000)
    except Exception as exc:  # noqa: BLE001 - a health check reports every failure
        return ComponentState(
            name, False, f"{type(exc).__name__}: {exc}"[:300], (time.perf_counter() - start) * 1000
        )


def run_checks() -> dict[str, ComponentState]:
    # In parallel, so one dead component costs one timeout, not four.
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="health")
    futures = {name: pool.submit(_timed, name, fn) for name, fn in CHECKS.items()}
    states: dict[str, ComponentState] = {}
    for name, future in futures.items():
        try:
            states[name] = future.result(timeout=CHECK_TIMEOUT_S + 1)
        except FutureTimeout:
            states[name] = ComponentState(name, False, "timed out", CHECK_TIMEOUT_S * 1000)
    pool.shutdown(wait=False, cancel_futures=True)
    return states


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    states = run_checks()
    ok = all(s.ok for s in states.values())
    body = {
        "status": "ok" if ok else "degraded",
        "components": {name: s.as_dict() for name, s in states.items()},
    }
    return JsonResponse(body, status=200 if ok else 503)
