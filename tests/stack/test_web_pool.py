"""The web server's database connections are pooled and bounded (settings.DB_POOL_MAX,
set by kumiai/asgi.py): under ASGI each request's view runs in a thread of its own, and
without a bound 200 busy users opened more connections than PostgreSQL allows."""

from __future__ import annotations

import json
import subprocess
import sys

# A process that loads the web entry point, then has 8 threads each run a "request" (a
# connection held through a query, then closed as Django closes it after a response).
# Five at a time hold theirs at once (a barrier), so a pool of 3 must make the rest wait.
PROBE = """
import json, os, threading
os.environ["KUMIAI_DB_POOL_MAX"] = "3"
import kumiai.asgi  # noqa: F401 - loads the settings as the web server does
from django.conf import settings
from django.db import close_old_connections, connection

pids, errors = [], []
gate = threading.Barrier(3, timeout=30)

def request(k):
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pids.append(cur.fetchone()[0])
            if k < 3:
                gate.wait()  # three requests hold a connection at the same moment
            cur.execute("SELECT pg_sleep(0.05)")
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=request, args=(k,)) for k in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({
    "pool": {k: v for k, v in settings.DATABASES["default"]["OPTIONS"]["pool"].items()
             if k != "check"},
    "pids": pids,
    "errors": errors,
}))
"""


def run_python(code: str) -> str:
    """`code` in a new interpreter with the test services' settings, as the web server
    would start (no pool size named in the environment); its output."""
    from kumiai.cli import PLATFORM_DIR, child_env

    env = child_env({})
    env.pop("KUMIAI_DB_POOL_MAX", None)
    return subprocess.run(  # noqa: S603 - our interpreter, fixed code
        [sys.executable, "-c", code],
        env=env,
        cwd=PLATFORM_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def test_web_requests_share_a_bounded_pool_of_connections():  # type: ignore[no-untyped-def]
    found = json.loads(run_python(PROBE).strip().splitlines()[-1])
    assert found["errors"] == []
    assert found["pool"]["max_size"] == 3
    assert len(found["pids"]) == 8  # every request was served
    # Three held at once, so at least three connections; never more than the bound.
    assert len(set(found["pids"])) == 3


def test_the_pool_setting_is_not_handed_on_to_child_processes():  # type: ignore[no-untyped-def]
    """asgi.py sets it for its own settings only: a Celery worker a test (or the web
    server) starts must not pool connections across its forks."""
    code = (
        "import os, kumiai.asgi; from django.conf import settings; "
        "print(settings.DB_POOL_MAX, os.environ.get('KUMIAI_DB_POOL_MAX'))"
    )
    assert run_python(code).split() == ["20", "None"]
