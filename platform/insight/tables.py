"""The figures of an `Insight` as plain data, the one shape the API, the CSV and Excel
exports and the monthly PDF are all made from, so they can never disagree.

`as_json` gives one list of rows per figure (a group total has `org_id` None and
`total` true). `tidy` flattens them into one table of
(figure, period, organisation id, organisation, measure, value) for the CSV.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .metrics import Insight, month_label, week_label

# Each figure: its key, the column that says when (None: the whole period), and its
# measures, in the order the exports write them.
FIGURES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("work_shared", "month", ("hours", "yen", "share", "target_share")),
    ("on_time", None, ("closed", "on_time", "rate")),
    ("win_rate", None, ("requests", "placed", "rate")),
    ("turnaround", None, ("count", "median_h")),
    ("load", "week", ("hours",)),
    ("material_saved", "month", ("saved_jpy", "spent_jpy")),
)


def _who(row: Any) -> dict[str, Any]:
    return {"org_id": row.org_id, "org": row.org, "total": row.org_id is None}


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def as_json(found: Insight) -> dict[str, Any]:
    p = found.period
    return {
        "period": {
            "from": month_label(p.first),
            "to": month_label(p.last_day),
            "label": p.label,
            "months": [month_label(m) for m in p.month_starts],
            "weeks": [week_label(w) for w in p.week_starts],
            # How a reader names them: the week's Monday, "05/11〜".
            "week_labels": [f"{w:%m/%d}〜" for w in p.week_starts],
        },
        "view": found.view,
        "group": found.group_name,
        "organization": found.org_name,
        "work_shared": [
            {
                "month": month_label(r.month),
                **_who(r),
                "hours": r.hours,
                "yen": r.yen,
                "share": r.share,
                "target_share": r.target_share,
            }
            for r in found.shares
        ],
        "on_time": [
            {**_who(r), "closed": r.closed, "on_time": r.on_time, "rate": _rate(r.rate)}
            for r in found.on_time
        ],
        "win_rate": [
            {**_who(r), "requests": r.requests, "placed": r.placed, "rate": _rate(r.rate)}
            for r in found.win_rate
        ],
        "turnaround": [
            {"kind": r.kind, **_who(r), "count": r.count, "median_h": r.median_h}
            for r in found.turnaround
        ],
        "load": [
            {
                "week": week_label(r.week_start),
                "week_start": r.week_start.isoformat(),
                "process": r.process,
                **_who(r),
                "hours": r.hours,
            }
            for r in found.load
        ],
        "material_saved": None
        if found.savings is None
        else [
            {
                "month": month_label(r.month),
                **_who(r),
                "saved_jpy": r.saved_jpy,
                "spent_jpy": r.spent_jpy,
            }
            for r in found.savings
        ],
    }


TIDY_HEADER = ("figure", "period", "organization_id", "organization", "measure", "value")


def tidy(data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """One row per figure, period, organisation and measure (an empty value: none)."""
    whole = data["period"]["label"]
    for key, when, measures in FIGURES:
        for row in data[key] or []:
            figure = f"{key}.{row['kind']}" if key == "turnaround" else key
            for measure in measures:
                yield (
                    figure,
                    row[when] if when else whole,
                    "" if row["org_id"] is None else row["org_id"],
                    row["org"],
                    measure,
                    "" if row[measure] is None else row[measure],
                )


def sheet(data: dict[str, Any], key: str) -> tuple[list[str], list[list[Any]]]:
    """One figure as a header and rows, every field as the API gives it (for Excel)."""
    rows = data[key] or []
    header = list(rows[0]) if rows else ["org_id", "org", "total"]
    return header, [[r[c] for c in header] for r in rows]
