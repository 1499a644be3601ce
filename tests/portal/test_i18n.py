"""Japanese and English: every string translated, Japanese for ja browsers, a switch."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.test import Client

CATALOGUE = Path(__file__).resolve().parents[2] / "frontend/locale/ja/LC_MESSAGES/django.po"


def test_japanese_catalogue_is_complete_and_has_no_guesses():  # type: ignore[no-untyped-def]
    po = polib.pofile(str(CATALOGUE))
    assert po.untranslated_entries() == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert len(po.translated_entries()) > 90


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "heading"),
    [("ja", "ログイン"), ("ja-JP,en;q=0.5", "ログイン"), ("en-US", "Log in"), ("de-DE", "Log in")],
)
def test_language_follows_the_browser(accept, heading):  # type: ignore[no-untyped-def]
    page = Client(HTTP_ACCEPT_LANGUAGE=accept).get("/login/").content.decode()
    assert f"<h1>{heading}</h1>" in page


@pytest.mark.django_db
def test_the_language_switch_sticks_and_is_remembered_for_the_user(world):  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(world.bob.user)
    response = client.post("/lang/", {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert "lead firm dashboard" in client.get("/dashboard/").content.decode()
    world.bob.user.refresh_from_db()
    assert world.bob.user.language == "en"
    # An off-site `next` is never followed.
    assert client.post("/lang/", {"language": "ja", "next": "//evil.example/"})["Location"] == "/"
