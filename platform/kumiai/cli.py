"""`kumiai`: one command for the stack and, later, for the engines (analyze, quote, …).

Subcommands register themselves in `COMMANDS`; each parses its own arguments, so an
engine's CLI can live next to its code and still be reached as `kumiai <name>`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .stack.supervisor import Child

REPO_DIR = Path(__file__).resolve().parents[2]
PLATFORM_DIR = REPO_DIR / "platform"
CHROMIUM = Path(os.environ.get("KUMIAI_CHROMIUM", "/usr/bin/chromium"))

COMMANDS: dict[str, tuple[str, Callable[[list[str]], int]]] = {}


def command(
    name: str, help_text: str
) -> Callable[[Callable[[list[str]], int]], Callable[[list[str]], int]]:
    def register(fn: Callable[[list[str]], int]) -> Callable[[list[str]], int]:
        COMMANDS[name] = (help_text, fn)
        return fn

    return register


def kumiai_home() -> Path:
    return Path(os.environ.get("KUMIAI_HOME") or REPO_DIR / ".kumiai").resolve()


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env.setdefault("DJANGO_SETTINGS_MODULE", "kumiai.settings")
    paths = [str(PLATFORM_DIR), str(REPO_DIR)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def django_admin(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "django", *args], env=env, cwd=PLATFORM_DIR, check=True)


def compile_translations() -> None:
    """The shared catalogue (frontend/locale) and each app's own (platform/<app>/locale)."""
    from .i18n import compile_all

    compile_all(REPO_DIR / "frontend" / "locale")
    for app_locale in sorted(PLATFORM_DIR.glob("*/locale")):
        compile_all(app_locale)


@command("run", "start the whole stack (embedded services unless env vars name others)")
def cmd_run(argv: list[str]) -> int:
    from .stack.embedded import EmbeddedStack
    from .stack.services import ServiceError, load_or_create_secrets
    from .stack.supervisor import Supervisor

    parser = argparse.ArgumentParser(prog="kumiai run")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("KUMIAI_WEB_PORT", 8000)))
    parser.add_argument("--no-seed", action="store_true", help="do not create the demo group")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument(
        "--web-workers",
        type=int,
        default=default_web_workers(),
        help="web server processes (default: one per core, at most 2)",
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    home = kumiai_home()
    stack = EmbeddedStack(home=home)
    stack.plan()
    supervisor = Supervisor(stack=stack)
    Supervisor.install_signal_handlers()
    try:
        stack.start(say=lambda m: print(f"[kumiai] {m}", flush=True))
        env = child_env(stack.env)
        # Notification e-mails land as files in .kumiai/mail/ unless a real server is set.
        env.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
        env.setdefault("DJANGO_EMAIL_FILE_PATH", str(home / "mail"))
        compile_translations()
        print("[kumiai] migrating the database …", flush=True)
        django_admin(["migrate", "--noinput"], env)
        if not args.no_seed:
            django_admin(
                ["seed_demo", "--password", load_or_create_secrets(home)["demo_password"]], env
            )
            django_admin(["seed_demo_drawings"], env)
            django_admin(["seed_demo_shops"], env)
            django_admin(["seed_demo_jobs"], env)
            django_admin(["seed_demo_purchasing"], env)
        # Drawings stored by an older analysis are queued to be analysed again.
        django_admin(["reindex_drawings"], env)
        supervisor.children = app_children(
            host=args.host,
            port=args.port,
            concurrency=args.worker_concurrency,
            home=home,
            web_workers=args.web_workers,
        )
        for child in supervisor.children:
            child.start(env, PLATFORM_DIR, home / "logs")
        _report_health(f"http://{args.host}:{args.port}", started)
    except KeyboardInterrupt:
        supervisor.shutdown()
        return 0
    except (ServiceError, subprocess.CalledProcessError, OSError) as exc:
        print(f"[kumiai] start-up failed: {exc}", file=sys.stderr)
        supervisor.shutdown()
        return 1
    return supervisor.watch()


WORKER_NICE = ["nice", "-n", "10"]


def default_web_workers() -> int:
    """One web process holds one core at most (the GIL): on two cores, 200 busy users
    were served half as fast by one (bench/schedule_load.py). Two, on a machine that has
    them; more are for a deployment to choose."""
    return max(1, min(2, os.cpu_count() or 1))


def app_children(
    *, host: str, port: int, concurrency: int, home: Path, web_workers: int = 1
) -> list[Child]:
    """The stack's own processes: a Celery worker, Celery beat (scheduled work: the
    stale-job sweep, offer deadlines) and the ASGI web server. The supervisor watches all
    three; any one that dies stops the stack."""
    from .stack.supervisor import Child  # noqa: F811 - the runtime import of the type above

    celery = [sys.executable, "-m", "celery", "-A", "kumiai"]
    return [
        Child(
            "worker",
            [
                # Below the web server: a person waiting on a page comes before seconds of
                # solving in the background (200 busy users on two cores waited behind the
                # re-plans, bench/schedule_load.py). An idle machine runs it at full speed.
                *WORKER_NICE,
                *celery,
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "--hostname",
                "kumiai@%h",
            ],
        ),
        Child(
            "beat",
            # Its schedule state lives with the stack's data; no pid file to go stale.
            [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(home / "celerybeat-schedule"),
                "--pidfile=",
            ],
        ),
        Child(
            "web",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "kumiai.asgi:application",
                "--host",
                host,
                "--port",
                str(port),
                "--lifespan",
                "off",
                "--ws",
                "auto",
                *(["--workers", str(web_workers)] if web_workers > 1 else []),
            ],
        ),
    ]


def _report_health(url: str, started: float, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    body = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=10) as resp:  # noqa: S310 - our own loopback URL
                body = resp.read().decode()
                print(
                    f"\n[kumiai] healthy after {time.monotonic() - started:.1f} s: {url}  "
                    f"(health: {url}/healthz, API docs: {url}/api/docs)",
                    flush=True,
                )
                return
        except urllib.error.HTTPError as exc:
            body = exc.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    print(f"[kumiai] not healthy after {timeout_s:.0f} s: {body}", file=sys.stderr, flush=True)


@command("env", "print the environment of the embedded stack (eval it in a second shell)")
def cmd_env(argv: list[str]) -> int:
    from .stack.embedded import RUN_PORTS
    from .stack.services import load_or_create_secrets

    s = load_or_create_secrets(kumiai_home())
    values = {
        "DATABASE_URL": f"postgresql://postgres:{s['pg_password']}@127.0.0.1:{RUN_PORTS['postgres']}/kumiai",
        "S3_ENDPOINT": f"http://127.0.0.1:{RUN_PORTS['s3']}",
        "S3_ACCESS_KEY": s["s3_access_key"],
        "S3_SECRET_KEY": s["s3_secret_key"],
        "REDIS_URL": f"redis://:{s['redis_password']}@127.0.0.1:{RUN_PORTS['redis']}/0",
        "DJANGO_SECRET_KEY": s["django_secret_key"],
    }
    for key, value in values.items():
        print(f"export {key}='{value}'")
    return 0


@command("manage", "run a Django management command against the configured services")
def cmd_manage(argv: list[str]) -> int:
    return subprocess.call(
        [sys.executable, "-m", "django", *argv], env=child_env({}), cwd=PLATFORM_DIR
    )


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def ensure_chromium() -> str | None:
    """Install Debian's chromium for the browser tests when we can; say why not otherwise."""
    if CHROMIUM.exists():
        return None
    if os.environ.get("KUMIAI_NO_BROWSER_INSTALL"):
        return "KUMIAI_NO_BROWSER_INSTALL is set"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "chromium is missing; as root run `apt-get install chromium` to enable browser tests"
    print("[kumiai] installing Debian's chromium for the browser tests …", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update"], env=env, timeout=600, check=False, **quiet)  # type: ignore[call-overload]
    result = subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium", "fonts-noto-cjk"],
        env=env,
        timeout=1200,
        check=False,
        **quiet,
    )  # type: ignore[call-overload]
    if result.returncode != 0 or not CHROMIUM.exists():
        return "apt-get install chromium failed; browser tests skipped"
    return None


@command("test", "start throw-away services and run the test suite (pytest arguments pass through)")
def cmd_test(argv: list[str]) -> int:
    from .stack.embedded import EmbeddedStack
    from .stack.services import ServiceError

    started = time.monotonic()
    compile_translations()
    extra: dict[str, str] = {}
    skip_reason = ensure_chromium()
    if skip_reason and in_ci():
        # CI must prove the whole suite, browser tests included: a quiet skip would pass
        # a run that tested less than it claims.
        print(
            f"[kumiai test] CI=true and the browser tests cannot run: {skip_reason}",
            file=sys.stderr,
        )
        return 1
    if skip_reason:
        extra["KUMIAI_BROWSER_SKIP"] = skip_reason
    home = Path(tempfile.mkdtemp(prefix="kumiai-test-"))
    stack = EmbeddedStack(home=home, ephemeral=True)
    stack.plan()
    try:
        stack.start(say=lambda m: print(f"[kumiai test] {m}", flush=True))
        print(f"[kumiai test] services up in {time.monotonic() - started:.1f} s", flush=True)
        env = child_env({**stack.env, **extra})
        return subprocess.call([sys.executable, "-m", "pytest", *argv], env=env, cwd=REPO_DIR)
    except ServiceError as exc:
        print(f"[kumiai test] {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        shutil.rmtree(home, ignore_errors=True)
        print(f"[kumiai test] total {time.monotonic() - started:.1f} s", flush=True)


@command("analyze", "read a DXF and report parts, features and findings (--json for the document)")
def cmd_analyze(argv: list[str]) -> int:
    from cad.cli import main as analyze_main

    return analyze_main(argv)


@command("quote", "price a DXF part per quantity break (--json for the document)")
def cmd_quote(argv: list[str]) -> int:
    from quoting.cli import main as quote_main

    return quote_main(argv)


@command("similar", "index DXF folders and find the parts most like a drawing (index | query)")
def cmd_similar(argv: list[str]) -> int:
    from cad.similar.cli import main as similar_main

    return similar_main(argv)


@command("calibrate", "fit a shop's cost profile to its past jobs' prices")
def cmd_calibrate(argv: list[str]) -> int:
    from quoting.cli import calibrate_main

    return calibrate_main(argv)


@command("allocate", "solve GAP benchmark instances (JSON Lines)")
def cmd_allocate(argv: list[str]) -> int:
    from scheduling.cli import allocate_main

    return allocate_main(argv)


@command("schedule", "solve a flexible job shop / job shop instance (JSON Lines)")
def cmd_schedule(argv: list[str]) -> int:
    from scheduling.cli import schedule_main

    return schedule_main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"} or argv[0] not in COMMANDS:
        print("usage: kumiai <command> [options]\n\ncommands:")
        for name, (help_text, _fn) in COMMANDS.items():
            print(f"  {name:<8} {help_text}")
        return 0 if argv[:1] in ([], ["-h"], ["--help"]) else 2
    return COMMANDS[argv[0]][1](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
