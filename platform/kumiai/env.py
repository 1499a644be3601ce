"""Typed readers for settings from environment variables; a wrong value fails loudly."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    pass


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """Django's DATABASES entry for a PostgreSQL URL, every query option kept
    (`?sslmode=require&sslrootcert=…` for a managed server) — dj-database-url's parsing."""
    import dj_database_url

    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql"}:
        raise ConfigError(f"DATABASE_URL must be postgresql://…, got scheme {scheme!r}")
    config: dict[str, object] = dict(dj_database_url.parse(url))
    config["ENGINE"] = "django.db.backends.postgresql"
    config["NAME"] = config.get("NAME") or "kumiai"
    config["PORT"] = str(config.get("PORT") or "")
    return config


@dataclass(frozen=True)
class S3Settings:
    endpoint_host: str  # host:port, as the minio SDK wants it
    secure: bool
    access_key: str
    secret_key: str
    bucket: str
    region: str


def s3_from_env() -> S3Settings:
    endpoint = env_str("S3_ENDPOINT", "")
    if not endpoint:
        # Settings load before `kumiai run` has started anything; health reports it.
        return S3Settings("", False, "", "", env_str("S3_BUCKET", "kumiai"), "us-east-1")
    parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"S3_ENDPOINT={endpoint!r} must look like http://host:port")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return S3Settings(
        endpoint_host=host,
        secure=parts.scheme == "https",
        access_key=env_str("S3_ACCESS_KEY"),
        secret_key=env_str("S3_SECRET_KEY"),
        bucket=env_str("S3_BUCKET", "kumiai"),
        region=env_str("S3_REGION", "us-east-1"),
    )
