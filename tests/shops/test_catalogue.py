"""The shops app's own Japanese catalogue: complete, no guesses, and it matches the code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "platform/shops/locale/ja/LC_MESSAGES/django.po"


def test_every_string_of_the_shops_pages_has_japanese(tmp_path):  # type: ignore[no-untyped-def]
    po = polib.pofile(str(CATALOGUE))
    assert po.untranslated_entries() == [] and po.fuzzy_entries() == []
    # Extract the msgids the code and templates use now, the way makemessages does.
    # In a subfolder: run from the folder itself, selectors.py would shadow the stdlib's.
    (tmp_path / "src").mkdir()
    (tmp_path / "locale").mkdir()
    sources = [*(ROOT / "platform/shops").glob("*.py")]
    sources += (ROOT / "frontend/templates/shops").glob("*.html")
    for source in sources:
        (tmp_path / "src" / source.name).write_bytes(source.read_bytes())
    # Without settings: with them, makemessages would write to the shared catalogue.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ja", "--no-location"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    used = {e.msgid for e in polib.pofile(str(tmp_path / "locale/ja/LC_MESSAGES/django.po"))}
    assert used - {e.msgid for e in po.translated_entries()} == set()
