"""The cost model's own verdict on a profile document, by field, in the reader's language.

`CostProfile.parse` is the only judge of a profile: this module does not add rules, it
only files each of its errors under the dotted path of the field it is about
(``laser.rate_jpy_h``) and words it for a person.
"""

from __future__ import annotations

import re
from typing import Any

import pydantic
from django.utils.translation import gettext as _

from quoting.profile import CostProfile, ProfileError

# A check across fields reports at the top ("profile") and names its field in the text.
_NAMED_PATH = re.compile(r"^(?:Value error, )?([^\s:]+\.[^\s:]+): (.+)$")


def check(document: Any) -> tuple[CostProfile | None, dict[str, list[str]]]:
    """The parsed profile, or None and the errors by field path."""
    if not isinstance(document, dict):
        return None, {"profile": [_("The profile must be a mapping of fields.")]}
    try:
        return CostProfile.parse(document), {}
    except ProfileError as exc:
        cause = exc.__cause__
        if isinstance(cause, pydantic.ValidationError):
            return None, _by_field(cause.errors())
        return None, {"profile": list(exc.errors)}


def _by_field(errors: list[Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for e in errors:
        path = ".".join(str(p) for p in e["loc"]) or "profile"
        message = _message(e)
        named = _NAMED_PATH.match(e.get("msg", "")) if path == "profile" else None
        if named:
            path, message = named.group(1), _known(named.group(2))
        found.setdefault(path, []).append(message)
    return found


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _message(e: Any) -> str:
    kind = e.get("type", "")
    ctx = {k: _number(v) for k, v in (e.get("ctx") or {}).items()}
    if kind == "greater_than":
        return _("Must be greater than %(limit)s.") % {"limit": ctx.get("gt")}
    if kind == "greater_than_equal":
        return _("Must be at least %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Must be at most %(limit)s.") % {"limit": ctx.get("le")}
    if kind == "less_than":
        return _("Must be less than %(limit)s.") % {"limit": ctx.get("lt")}
    if kind == "extra_forbidden":
        return _("Unknown field: the cost model has no such setting.")
    if kind == "missing":
        return _("Required.")
    if kind in {"float_parsing", "float_type", "finite_number"}:
        return _("Must be a number.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Must be a whole number.")
    if kind == "too_short":
        return _("Needs at least %(n)s entries.") % {"n": ctx.get("min_length")}
    if kind == "value_error":
        return _known(str(ctx.get("error", e.get("msg", ""))))
    return str(e.get("msg", kind))


def _known(text: str) -> str:
    """The cost model's own sentences (English in quoting/), worded for the reader."""
    text = text.removeprefix("Value error, ")
    known = {
        "scrap_jpy_kg must be below price_jpy_kg": _(
            "The scrap credit must be below the price per kg."
        ),
        "a table needs at least two thickness rows": _(
            "A table needs at least two thickness rows."
        ),
        "thicknesses and values must be positive": _("Thicknesses and values must be positive."),
        "laser.pierce_s needs at least one table": _("Give at least one pierce-time table."),
    }
    return known.get(text, text)
