"""Logging in, throttling, invitations, and what disabling a person takes away."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from accounts.models import User
from tenancy.models import AuditLog, Invitation, Membership

pytestmark = pytest.mark.django_db


def login(client: Client, email: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_login_with_the_right_password_reaches_the_dashboard(world, password):  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = login(client, "alice@a.example", password)
    assert response.status_code == 302 and response["Location"].endswith("/dashboard/")
    page = client.get("/dashboard/").content.decode()
    assert "北陸機器製作所" in page and "北陸板金グループ" in page
    assert AuditLog.objects.filter(action="login.success", actor=world.alice.user).count() == 1


def test_wrong_password_is_refused_and_audited_for_the_accounts_organisation(world):  # type: ignore[no-untyped-def]
    response = login(Client(), "alice@a.example", "wrong password")
    assert response.status_code == 401
    row = AuditLog.objects.get(action="login.failure")
    assert row.organization_id == world.lead_firm.pk and row.ip_address == "10.0.0.1"


@override_settings(LOGIN_MAX_FAILURES=3)
def test_login_is_throttled_after_repeated_failures_even_with_the_right_password(world, password):  # type: ignore[no-untyped-def]
    client = Client()
    codes = [login(client, "alice@a.example", f"guess {i}").status_code for i in range(3)]
    assert codes == [401, 401, 401]
    locked = login(client, "alice@a.example", password)
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from another address is not affected.
    assert login(Client(), "bob@a.example", password, ip="10.0.0.2").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3)
def test_one_address_trying_many_accounts_is_throttled(world, password):  # type: ignore[no-untyped-def]
    client = Client()
    for i in range(12):  # 4 × the per-account limit, spread over accounts
        login(client, f"nobody{i}@x.example", "x", ip="10.9.9.9")
    assert login(client, "bob@a.example", password, ip="10.9.9.9").status_code == 429


def test_invitation_round_trip_creates_a_member_with_the_invited_role(
    world, clients, mailoutbox, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["alice"].post(
            "/org/members/", {"email": "New.Person@A.example", "role": "procurement"}
        )
    assert response.status_code == 200
    link = response.context["issued_link"]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert Invitation.objects.get().token_sha256 != token  # only the hash is stored
    assert len(mailoutbox) == 1 and link in mailoutbox[0].body

    newcomer = Client()
    assert newcomer.get(f"/invite/{token}/").status_code == 200
    response = newcomer.post(
        f"/invite/{token}/",
        {
            "full_name": "新人 太郎",
            "password": "a long new secret 9",
            "password_again": "a long new secret 9",
        },
    )
    assert response.status_code == 302
    m = Membership.objects.get(user__email="new.person@a.example")
    assert (m.organization_id, m.role) == (world.lead_firm.pk, "procurement")
    assert newcomer.get("/api/me").json()["organization"]["name"] == "北陸機器製作所"
    # The link works once.
    assert Client().get(f"/invite/{token}/").status_code == 404


def test_invitation_with_a_weak_password_keeps_the_invitation_open(world, clients):  # type: ignore[no-untyped-def]
    response = clients["alice"].post("/org/members/", {"email": "weak@a.example", "role": "viewer"})
    token = response.context["issued_link"].rstrip("/").rsplit("/", 1)[-1]
    response = Client().post(
        f"/invite/{token}/", {"full_name": "W", "password": "123", "password_again": "123"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="weak@a.example").exists()
    assert Invitation.objects.get(email="weak@a.example").accepted_at is None


def test_disabling_a_member_ends_their_session_and_api_keys(world, clients, password):  # type: ignore[no-untyped-def]
    bob = clients["bob"]
    created = bob.post(
        "/api/tokens", data=json.dumps({"name": "k"}), content_type="application/json"
    )
    secret = created.json()["secret"]
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    assert clients["alice"].post(f"/api/members/{world.bob.pk}/disable").status_code == 200
    assert bob.get("/dashboard/").status_code == 302  # back to the login page
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert login(Client(), "bob@a.example", password).status_code == 401
    assert (
        AuditLog.objects.filter(action="membership.disable", object_id=str(world.bob.pk)).count()
        == 1
    )


def test_an_admin_cannot_disable_themselves(world, clients):  # type: ignore[no-untyped-def]
    response = clients["alice"].post(f"/api/members/{world.alice.pk}/disable")
    assert response.status_code == 422
    assert Membership.objects.get(pk=world.alice.pk).is_active


def test_passwords_are_stored_with_argon2(world):  # type: ignore[no-untyped-def]
    assert User.objects.get(email="alice@a.example").password.startswith("argon2$")


def test_pages_require_login(db):  # type: ignore[no-untyped-def]
    for url in ("/dashboard/", "/org/members/", "/org/audit/", "/account/tokens/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert Client().get("/api/me").status_code == 401
