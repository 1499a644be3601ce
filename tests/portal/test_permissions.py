"""A viewer cannot write; each write leaves exactly one audit row."""

from __future__ import annotations

import json

import pytest

from tenancy.models import AuditLog, Membership

pytestmark = pytest.mark.django_db


def post_json(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_viewer_cannot_write_anywhere(world, clients):  # type: ignore[no-untyped-def]
    vera = clients["vera"]
    before = AuditLog.objects.count()
    attempts = [
        post_json(vera, "/api/tokens", {"name": "x"}),
        post_json(vera, "/api/invitations", {"email": "new@a.example", "role": "viewer"}),
        vera.post(f"/api/members/{world.bob.pk}/disable"),
        vera.post("/account/tokens/", {"name": "x"}),
        vera.post("/org/members/", {"email": "new@a.example", "role": "viewer"}),
        vera.post(f"/org/members/{world.bob.pk}/active/0/"),
        vera.post("/org/audit/export/"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert AuditLog.objects.count() == before
    assert Membership.objects.get(pk=world.bob.pk).is_active


def test_engineer_can_make_a_token_but_not_manage_members(world, clients):  # type: ignore[no-untyped-def]
    bob = clients["bob"]
    assert post_json(bob, "/api/tokens", {"name": "cad-sync"}).status_code == 201
    assert (
        post_json(bob, "/api/invitations", {"email": "x@a.example", "role": "viewer"}).status_code
        == 403
    )
    assert bob.get("/api/audit").status_code == 403


@pytest.mark.parametrize(
    ("action", "call"),
    [
        ("api_token.create", lambda c, w: post_json(c, "/api/tokens", {"name": "k"})),
        (
            "invitation.create",
            lambda c, w: post_json(
                c, "/api/invitations", {"email": "n@a.example", "role": "engineer"}
            ),
        ),
        ("membership.disable", lambda c, w: c.post(f"/api/members/{w.bob.pk}/disable")),
        ("job.start.audit_export", lambda c, w: c.post("/org/audit/export/")),
    ],
)
def test_each_write_leaves_one_audit_row_with_who_and_where(world, clients, action, call):  # type: ignore[no-untyped-def]
    before = set(AuditLog.objects.values_list("pk", flat=True))
    response = call(clients["alice"], world)
    assert response.status_code in {200, 201, 202, 302}, response.content
    new = AuditLog.objects.exclude(pk__in=before)
    assert [row.action for row in new] == [action]
    row = new.get()
    assert row.actor_id == world.alice.user.pk
    assert row.organization_id == world.lead_firm.pk
    assert row.ip_address == "127.0.0.1"


def test_audit_rows_cannot_be_changed_or_deleted_even_with_raw_sql(world):  # type: ignore[no-untyped-def]
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    row = AuditLog.objects.first()
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()
    for sql in ("update tenancy_auditlog set action = 'forged'", "delete from tenancy_auditlog"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)
    assert AuditLog.objects.filter(action="forged").count() == 0
