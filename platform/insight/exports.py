"""The caller's figures as CSV and Excel, and the monthly report as a PDF in the reader's
language (Japanese unless the reader reads English).

All three are made from `tables.as_json`, the API's own answer, so an export holds
exactly the numbers the dashboard and the API show. The PDF uses reportlab's built-in
CID font HeiseiKakuGo-W5 (the Adobe-Japan1 set every PDF reader carries): no font file
is shipped or downloaded, and the text stays text, so it can be searched and extracted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from shops.models import PROCESS_LABELS

from . import tables
from .metrics import OFFER_TO_ANSWER, REQUEST_TO_ORDER

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "HeiseiKakuGo-W5"


def file_stem(data: dict[str, Any]) -> str:
    p = data["period"]
    span = p["from"] if p["from"] == p["to"] else f"{p['from']}_{p['to']}"
    return f"kumiai-insight-{span}"


def as_csv(data: dict[str, Any]) -> bytes:
    buf = io.StringIO()
    # A byte-order mark: Excel in Japan opens UTF-8 CSV as Shift_JIS without it.
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(tables.TIDY_HEADER)
    writer.writerows(tables.tidy(data))
    return buf.getvalue().encode()


def as_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    about = wb.create_sheet("period")
    about.append(["group", data["group"]])
    about.append(["organization", data["organization"]])
    about.append(["from", data["period"]["from"]])
    about.append(["to", data["period"]["to"]])
    for key, _when, _measures in tables.FIGURES:
        ws = wb.create_sheet(key)
        if data[key] is None:
            ws.append(["no joint orders yet"])
            continue
        header, rows = tables.sheet(data, key)
        ws.append(header)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- the monthly PDF ------------------------------------------------------------------------------
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def yen(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def who(row: dict[str, Any]) -> str:
    return _("Group total") if row["total"] else row["org"]


def definitions() -> list[tuple[str, str, str]]:
    """Each figure's key, name and what it counts, as the page and the report state them."""
    return [
        (
            "work_shared",
            _("Work shared"),
            _(
                "Hours and yen of the work each shop accepted in the month: the hours the "
                "shop quoted for each line, the price of the accepted offer. A work moved to "
                "another shop counts at the shop that took it over. Share: the shop's hours "
                "over the group's; target: the fairness share the coordinator set."
            ),
        ),
        (
            "on_time",
            _("On-time rate"),
            _(
                "Of the works closed in the period, those delivered on or before the date "
                "promised to the buyer. The date that counts is the day the last shipment "
                "was received, or the closing day when no receipt is recorded."
            ),
        ),
        (
            "win_rate",
            _("Quote win rate"),
            _(
                "Of the requests lead firms made in the period, those placed as orders "
                "(at once or later). A request still open counts as not won."
            ),
        ),
        (
            "turnaround",
            _("Turnaround"),
            _(
                "Median hours from a request to its order, for orders placed in the period; "
                "and from an offer to the shop's answer (accepted, declined or "
                "counter-offered), for offers answered in the period."
            ),
        ),
        (
            "load",
            _("Load per process"),
            _(
                "Machine hours of planned operations per process and ISO week (Monday to "
                "Sunday), for the weeks that overlap the period."
            ),
        ),
        (
            "material_saved",
            _("Material saved"),
            _(
                "Yen saved by joint purchase orders placed in the period, against each shop "
                "buying the same sheets alone at its own price break; and what was paid."
            ),
        ),
    ]


@dataclass(frozen=True)
class Section:
    """One figure as a table of display strings, for the page and the PDF."""

    key: str
    title: str
    header: list[str]
    rows: list[list[str]] | None  # None: no data source yet (material saved)
    totals: list[bool]  # per row: the group's total
    numeric_from: int  # the first column of numbers
    empty: str


def sections(data: dict[str, Any]) -> list[Section]:
    nothing = _("Nothing in this period.")
    kinds = {REQUEST_TO_ORDER: _("Request to order"), OFFER_TO_ANSWER: _("Offer to answer")}
    out = [
        Section(
            "work_shared",
            _("Work shared"),
            [_("Organization"), _("Month"), _("Hours"), _("Yen"), _("Share"), _("Target share")],
            [
                [
                    who(r),
                    r["month"],
                    hours(r["hours"]),
                    yen(r["yen"]),
                    pct(r["share"]),
                    pct(r["target_share"]),
                ]
                for r in data["work_shared"]
            ],  # fmt: skip
            [r["total"] for r in data["work_shared"]],
            2,
            nothing,
        ),
        Section(
            "on_time",
            _("On-time rate"),
            [_("Organization"), _("Works closed"), _("On time"), _("On-time rate")],
            [
                [who(r), str(r["closed"]), str(r["on_time"]), pct(r["rate"])]
                for r in data["on_time"]
            ],
            [r["total"] for r in data["on_time"]],
            1,
            nothing,
        ),
        Section(
            "win_rate",
            _("Quote win rate"),
            [_("Organization"), _("Requests"), _("Placed"), _("Win rate")],
            [
                [who(r), str(r["requests"]), str(r["placed"]), pct(r["rate"])]
                for r in data["win_rate"]
            ],
            [r["total"] for r in data["win_rate"]],
            1,
            nothing,
        ),
        Section(
            "turnaround",
            _("Turnaround"),
            [_("Measured"), _("Organization"), _("Count"), _("Median hours")],
            [
                [kinds[r["kind"]], who(r), str(r["count"]), hours(r["median_h"])]
                for r in data["turnaround"]
            ],
            [r["total"] for r in data["turnaround"]],
            2,
            nothing,
        ),
    ]
    weeks = data["period"]["weeks"]
    load: dict[tuple[str, str], dict[str, float]] = {}
    total: dict[tuple[str, str], bool] = {}
    for r in data["load"]:
        load.setdefault((who(r), r["process"]), {})[r["week"]] = r["hours"]
        total[(who(r), r["process"])] = r["total"]
    out.append(
        Section(
            "load",
            _("Load per process (machine hours per week)"),
            [_("Organization"), _("Process"), *data["period"]["week_labels"]],
            [
                [name, str(PROCESS_LABELS.get(process, process)), *(hours(h.get(w)) for w in weeks)]
                for (name, process), h in load.items()
            ],
            list(total.values()),
            2,
            _("No operation was planned in these weeks."),
        )
    )
    saved = data["material_saved"]
    out.append(
        Section(
            "material_saved",
            _("Material saved"),
            [_("Organization"), _("Month"), _("Saved (yen)"), _("Paid (yen)")],
            None
            if saved is None
            else [[who(r), r["month"], yen(r["saved_jpy"]), yen(r["spent_jpy"])] for r in saved],
            [] if saved is None else [r["total"] for r in saved],
            2,
            _("No joint orders yet."),
        )
    )
    return out


def _table(data: list[list[str]], numeric_from: int, font_size: float = 8) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(data, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, font_size),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for i, row in enumerate(data):
        if i and row[0] == _("Group total"):
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f3f5f7")))
    table.setStyle(TableStyle(style))
    return table


def report_pdf(data: dict[str, Any]) -> bytes:
    """The monthly report: the group, the month, each figure in a table with the group's
    totals, and what each figure counts."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title_style = ParagraphStyle("t", fontName=FONT, fontSize=16, leading=22)
    head = ParagraphStyle("h", fontName=FONT, fontSize=11, leading=16, spaceBefore=8)
    body = ParagraphStyle("b", fontName=FONT, fontSize=9, leading=13)
    small = ParagraphStyle("s", fontName=FONT, fontSize=7.5, leading=11)

    period = data["period"]
    title = _("Monthly report %(month)s") % {"month": period["label"]}
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{data['group']} {title}",
    )
    story: list[Any] = [
        Paragraph(escape(f"{data['group']}　{title}"), title_style),
        Spacer(1, 3 * mm),
        Paragraph(
            _("Period: %(first)s to %(last)s · made on %(today)s for %(org)s")
            % {
                "first": period["months"][0],
                "last": period["months"][-1],
                "today": timezone.localdate().isoformat(),
                "org": escape(data["organization"]),
            },
            body,
        ),
    ]

    for sec in sections(data):
        story.append(Paragraph(escape(sec.title), head))
        if sec.rows is None or not sec.rows:
            story.append(Paragraph(escape(sec.empty), body))
        else:
            story.append(_table([sec.header, *sec.rows], sec.numeric_from))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_("What the figures count"), head))
    for _key, name, text in definitions():
        story.append(Paragraph(escape(f"{name}：{text}"), small))
    story.append(
        Paragraph(
            _(
                "Times are in Japan time (Asia/Tokyo). A group total sums every member "
                "of the group; figures of a single member are shown only to that member "
                "and to the coordinating shop."
            ),
            small,
        )
    )
    doc.build(story)
    return buf.getvalue()
