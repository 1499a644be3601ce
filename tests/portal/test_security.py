"""Security regressions from the hardening review: each test failed on the code before
its fix (open redirect, throttle races, forged client addresses, lost URL options, an
unaudited write)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from accounts import ratelimit
from tenancy.models import AuditLog

pytestmark = pytest.mark.django_db


def login(client: Client, password: str, next_url: str, **extra):  # type: ignore[no-untyped-def]
    return client.post(
        f"/login/?next={next_url}",
        {"email": "alice@a.example", "password": password},
        **extra,
    )


@pytest.mark.parametrize(
    "hostile",
    [
        "https://elsewhere.example/",
        "//elsewhere.example/",
        "/\\elsewhere.example/",
        "http:/elsewhere.example",
        "javascript:alert(1)",
        "%2F%2Felsewhere.example",
    ],
)
def test_login_never_follows_next_off_the_site(world, password, hostile):  # type: ignore[no-untyped-def]
    from urllib.parse import quote

    response = login(Client(), password, quote(hostile, safe=""))
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_login_follows_a_same_site_next(world, password):  # type: ignore[no-untyped-def]
    response = login(Client(), password, "/org/audit/%3Fpage%3D2")
    assert response.status_code == 302 and response["Location"] == "/org/audit/?page=2"


def test_language_switch_never_redirects_off_the_site(world, clients):  # type: ignore[no-untyped-def]
    response = clients["alice"].post("/lang/", {"language": "ja", "next": "/\\evil.example/"})
    assert response["Location"] == "/"


def test_a_failure_counter_that_expires_between_calls_does_not_crash_the_login(world, monkeypatch):  # type: ignore[no-untyped-def]
    """The old add-then-increment raised ValueError when the key expired in between;
    here it vanishes right after any add, as an expiry at that instant would do."""
    real_add = cache.add

    def add_then_expire(key, *args, **kwargs):  # type: ignore[no-untyped-def]
        added = real_add(key, *args, **kwargs)
        cache.delete(key)
        return added

    monkeypatch.setattr(cache, "add", add_then_expire)
    response = Client().post(
        "/login/", {"email": "alice@a.example", "password": "wrong"}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 401
    assert cache.get(ratelimit._key("user", "alice@a.example")) == 1


@override_settings(LOGIN_LOCKOUT_S=900)
def test_each_failure_restarts_the_pause(world):  # type: ignore[no-untyped-def]
    """A fixed window from the first failure lets a guesser spend one allowance at the
    end of a window and another at the start of the next."""
    ratelimit.note_failure("alice@a.example", "10.1.1.2")
    client = cache._cache.get_client(write=True)
    key = cache.make_key(ratelimit._key("user", "alice@a.example"))
    client.expire(key, 5)  # most of the window has passed
    ratelimit.note_failure("alice@a.example", "10.1.1.2")
    assert client.ttl(key) > 5, "the second failure must push the end of the pause back"
    assert cache.get(ratelimit._key("user", "alice@a.example")) == 2


def test_the_proxy_setting_is_defined_and_off_by_default(settings):  # type: ignore[no-untyped-def]
    from django.conf import settings as live

    assert hasattr(live, "TRUST_X_FORWARDED_FOR")
    assert live.TRUST_X_FORWARDED_FOR is False


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(world):  # type: ignore[no-untyped-def]
    Client().post(
        "/login/",
        {"email": "alice@a.example", "password": "wrong"},
        REMOTE_ADDR="10.2.2.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert AuditLog.objects.get(action="login.failure").ip_address == "10.2.2.2"


@override_settings(TRUST_X_FORWARDED_FOR=True)
def test_behind_the_proxy_the_address_it_saw_is_used(world):  # type: ignore[no-untyped-def]
    # The client wrote 1.2.3.4 itself; our proxy appended the address it really saw.
    Client().post(
        "/login/",
        {"email": "alice@a.example", "password": "wrong"},
        REMOTE_ADDR="172.18.0.5",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
    )
    assert AuditLog.objects.get(action="login.failure").ip_address == "203.0.113.7"


@override_settings(TRUST_X_FORWARDED_FOR=True, LOGIN_MAX_FAILURES=2)
def test_a_forged_forwarded_address_does_not_dodge_the_address_throttle(world, password):  # type: ignore[no-untyped-def]
    client = Client()
    for i in range(8):  # 4 × the limit, each try claiming a fresh address of its own
        client.post(
            "/login/",
            {"email": f"nobody{i}@x.example", "password": "x"},
            REMOTE_ADDR="172.18.0.5",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.9",
        )
    response = client.post(
        "/login/",
        {"email": "bob@a.example", "password": password},
        REMOTE_ADDR="172.18.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.200, 203.0.113.9",
    )
    assert response.status_code == 429


def test_database_url_keeps_its_query_options():  # type: ignore[no-untyped-def]
    from kumiai.env import database_from_url

    config = database_from_url(
        "postgresql://k%40u:p%2Fw@db.example:6432/kumiai?sslmode=require&connect_timeout=5"
    )
    assert config["OPTIONS"]["sslmode"] == "require"
    assert str(config["OPTIONS"]["connect_timeout"]) == "5"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "k@u",
        "p/w",
        "db.example",
        "6432",
    )
    assert config["NAME"] == "kumiai"
    assert config["ENGINE"] == "django.db.backends.postgresql"


def test_switching_language_is_an_audited_action(world, clients):  # type: ignore[no-untyped-def]
    response = clients["alice"].post("/lang/", {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    world.alice.user.refresh_from_db()
    assert world.alice.user.language == "en"
    row = AuditLog.objects.get(action="user.set_language")
    assert row.actor == world.alice.user and row.organization_id == world.lead_firm.pk
    assert row.changes["language"][1] == "en"
