"""Every action the portal audits reads as words on the audit page, in both languages:
the action codes are found in the code itself (each `audit.record(actor, "code", …)`),
so a new action without a label fails here instead of showing its raw code."""

from __future__ import annotations

import ast
from pathlib import Path

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
# Codes written as f-strings, with the values they take.
FORMATTED = {
    "operation.{status}": ("started", "done", "delayed"),
    "cost_profile.{source}": ("default", "edited", "calibrated"),
    "drawing.{what}": ("view", "download"),
    "job.start.{kind}": ("audit_export",),
}


def audited_codes() -> set[str]:
    codes: set[str] = set()
    for path in PLATFORM.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "record"
                and len(node.args) >= 2
            ):
                continue
            code = node.args[1]
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                codes.add(code.value)
            elif isinstance(code, ast.JoinedStr):
                pattern = "".join(
                    v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                    for v in code.values
                )
                assert pattern in FORMATTED, f"{path}: say what {pattern!r} can become"
                codes |= {pattern.replace(pattern[pattern.index("{"):pattern.index("}") + 1], v)
                          for v in FORMATTED[pattern]}  # fmt: skip
    return codes


def test_every_audited_action_has_a_label_in_both_languages():  # type: ignore[no-untyped-def]
    from django.utils import translation

    from tenancy.models import ACTION_LABELS

    codes = audited_codes()
    assert len(codes) > 60  # the scan finds the actions (it is not looking at nothing)
    assert sorted(codes - set(ACTION_LABELS)) == []
    with translation.override("en"):
        english = {c: str(ACTION_LABELS[c]) for c in codes}
    with translation.override("ja"):
        untranslated = sorted(c for c in codes if str(ACTION_LABELS[c]) == english[c])
    assert untranslated == []
