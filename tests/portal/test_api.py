"""The API: schema, token auth, clear errors for bad input."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_malformed_json_answers_400_with_the_parser_message(clients):  # type: ignore[no-untyped-def]
    response = clients["alice"].post(
        "/api/invitations",
        data='{"email": "x@a.example", "role": ',
        content_type="application/json",
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("malformed JSON body:") and "line 1" in detail


def test_invalid_fields_answer_422_naming_each_field(clients):  # type: ignore[no-untyped-def]
    response = clients["alice"].post(
        "/api/invitations",
        data=json.dumps({"email": "not-an-email"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"email", "role"}


def test_unknown_role_lists_the_valid_ones(clients):  # type: ignore[no-untyped-def]
    response = clients["alice"].post(
        "/api/invitations",
        data=json.dumps({"email": "n@a.example", "role": "boss"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "admin, engineer, procurement, estimator, viewer" in response.json()["errors"]["role"][0]


def test_token_auth_works_and_revoked_tokens_stop(world, clients):  # type: ignore[no-untyped-def]
    created = (
        clients["bob"]
        .post("/api/tokens", data=json.dumps({"name": "erp"}), content_type="application/json")
        .json()
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {created['secret']}"}
    me = Client().get("/api/me", **headers).json()
    assert (me["email"], me["role"]) == ("bob@a.example", "engineer")
    assert clients["bob"].delete(f"/api/tokens/{created['id']}").status_code == 204
    assert Client().get("/api/me", **headers).status_code == 401
    assert Client().get("/api/me", HTTP_AUTHORIZATION="Bearer kmi_made-up").status_code == 401


def test_session_writes_need_the_csrf_token(world):  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bob.user)
    response = client.post(
        "/api/tokens", data=json.dumps({"name": "x"}), content_type="application/json"
    )
    assert response.status_code in {401, 403}


def test_openapi_schema_and_docs_are_served(db):  # type: ignore[no-untyped-def]
    schema = Client().get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/organizations/{org_id}" in schema["paths"]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
