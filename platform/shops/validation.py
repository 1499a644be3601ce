"""The cost model's own verdict on a profile document, by field, in the reader's language.

`CostProfile.parse` is the only judge of a profile: this module does not add rules, it
only files each of its errors under the dotted path of the field it is about
(``laser.rate_jpy_h``) and words it for a person.

A shop's capability, machines and closures have no such model in quoting/: their rules
are the `check_*` functions below, which the actions apply before they write.
"""

from __future__ import annotations

import re
from typing import Any

import pydantic
from django.utils.translation import gettext as _

from quoting.processes import PROCESSES
from quoting.profile import CostProfile, ProfileError

from .capacity import ISO_WEEKDAYS

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


MAX_SHIFT_H = 24.0


def check_capability(values: dict[str, Any]) -> dict[str, list[str]]:
    """The shop's own fields: processes, materials, sizes and the calendar."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    unknown = [p for p in values["processes"] if p not in PROCESSES]
    if unknown:
        refuse(
            "processes",
            _("Unknown process: %(names)s. The processes are: %(known)s.")
            % {"names": ", ".join(map(str, unknown)), "known": ", ".join(PROCESSES)},
        )
    elif not values["processes"]:
        refuse("processes", _("Choose at least one process the shop does."))
    if any(not isinstance(m, str) or not m.strip() for m in values["materials"]):
        refuse("materials", _("A material needs a name."))
    elif not values["materials"]:
        refuse("materials", _("Name at least one material the shop works."))
    lo, hi = values["thickness_min_mm"], values["thickness_max_mm"]
    if lo <= 0:
        refuse("thickness_min_mm", _("Must be greater than %(limit)s.") % {"limit": 0})
    if lo > hi:
        refuse(
            "thickness_max_mm",
            _("The thickest sheet (%(hi)s mm) is thinner than the thinnest (%(lo)s mm).")
            % {"hi": _number(hi), "lo": _number(lo)},
        )
    long_mm, short_mm = values["max_part_long_mm"], values["max_part_short_mm"]
    if short_mm <= 0:
        refuse("max_part_short_mm", _("Must be greater than %(limit)s.") % {"limit": 0})
    if short_mm > long_mm:
        refuse(
            "max_part_short_mm",
            _("The short side (%(short)s mm) is longer than the long side (%(long)s mm).")
            % {"short": _number(short_mm), "long": _number(long_mm)},
        )
    hours, shifts = values["hours_per_shift"], values["shifts_per_day"]
    if not 0 < hours <= MAX_SHIFT_H:
        refuse(
            "hours_per_shift",
            _("A shift lasts more than 0 and at most %(max)s hours.") % {"max": int(MAX_SHIFT_H)},
        )
    if shifts < 1:
        refuse("shifts_per_day", _("Must be at least %(limit)s.") % {"limit": 1})
    elif 0 < hours <= MAX_SHIFT_H and hours * shifts > MAX_SHIFT_H:
        refuse(
            "shifts_per_day",
            _("%(shifts)s shifts of %(hours)s hours are more than a day's 24 hours.")
            % {"shifts": shifts, "hours": _number(hours)},
        )
    off = values["weekly_days_off"]
    if any(d not in ISO_WEEKDAYS for d in off):
        refuse("weekly_days_off", _("Days off are weekday numbers from 1 (Monday) to 7 (Sunday)."))
    elif set(ISO_WEEKDAYS) <= set(off):
        refuse(
            "weekly_days_off",
            _("A shop calendar with no working day: every day of the week is a day off."),
        )
    return errors


def check_shares(target_share: float, min_share: float) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, value in (("target_share", target_share), ("min_share", min_share)):
        if not 0 <= value <= 1:
            errors[field] = [_("A share is between 0 and 1 (0.25 = 25 %).")]
    if not errors and min_share > target_share:
        errors["min_share"] = [
            _("The minimum share (%(min)s) is above the target share (%(target)s).")
            % {"min": _number(min_share), "target": _number(target_share)}
        ]
    return errors


def check_machine(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not str(values["name"]).strip():
        errors["name"] = [_("A machine needs a name.")]
    if values["process"] not in PROCESSES:
        errors["process"] = [
            _("Unknown process: %(names)s. The processes are: %(known)s.")
            % {"names": values["process"], "known": ", ".join(PROCESSES)}
        ]
    if not values["speed_factor"] > 0:
        errors["speed_factor"] = [
            _("The speed factor must be greater than 0 (1 = the shop's standard machine).")
        ]
    return errors


def check_closure(values: dict[str, Any]) -> dict[str, list[str]]:
    if values["end_date"] < values["start_date"]:
        return {
            "end_date": [
                _("The closure ends (%(end)s) before it starts (%(start)s).")
                % {"end": values["end_date"].isoformat(), "start": values["start_date"].isoformat()}
            ]
        }
    return {}
