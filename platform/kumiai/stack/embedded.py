"""Which services to start, and the environment that points the platform at them.

A service whose variable is already set (DATABASE_URL, S3_ENDPOINT, REDIS_URL) is
taken as given: production and CI against managed services use the same commands.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .services import (
    PostgresService,
    RedisService,
    S3Service,
    Service,
    free_port,
    load_or_create_secrets,
    port_is_open,
)

# Fixed ports for `kumiai run`, so a browser bookmark and a second terminal find the
# same stack again; the tests take free ports instead.
RUN_PORTS = {"postgres": 54329, "s3": 18333, "redis": 16379}


@dataclass
class EmbeddedStack:
    home: Path
    ephemeral: bool = False
    services: list[Service] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def plan(self, environ: dict[str, str] | None = None) -> None:
        environ = dict(os.environ if environ is None else environ)
        secrets = load_or_create_secrets(self.home)
        self.env["DJANGO_SECRET_KEY"] = (
            environ.get("DJANGO_SECRET_KEY") or secrets["django_secret_key"]
        )

        def port(name: str) -> int:
            if self.ephemeral:
                return free_port()
            wanted = int(environ.get(f"KUMIAI_{name.upper()}_PORT", RUN_PORTS[name]))
            if port_is_open(wanted):
                raise SystemExit(
                    f"port {wanted} for the embedded {name} is taken (another `kumiai run`?). "
                    f"Stop it, or set KUMIAI_{name.upper()}_PORT."
                )
            return wanted

        if not environ.get("DATABASE_URL"):
            self.services.append(
                PostgresService(
                    name="postgres",
                    home=self.home,
                    port=port("postgres"),
                    password=secrets["pg_password"],
                    ephemeral=self.ephemeral,
                )
            )
        if not environ.get("S3_ENDPOINT"):
            self.services.append(
                S3Service(
                    name="s3",
                    home=self.home,
                    port=port("s3"),
                    access_key=secrets["s3_access_key"],
                    secret_key=secrets["s3_secret_key"],
                )
            )
        if not environ.get("REDIS_URL"):
            self.services.append(
                RedisService(
                    name="redis",
                    home=self.home,
                    port=port("redis"),
                    password=secrets["redis_password"],
                    persistent=not self.ephemeral,
                )
            )
        for service in self.services:
            self.env.update(service.env())

    def start(self, say=print) -> None:  # type: ignore[no-untyped-def]
        started: list[Service] = []
        try:
            for service in self.services:
                say(f"starting {service.name} …")
                service.start()
                started.append(service)
                say(f"  {service.name} ready (log: {service.log_path})")
        except BaseException:
            for service in reversed(started):
                service.stop()
            for service in self.services:
                service.stop()
            raise

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()
