"""The shared schedule leaving the portal: as CSV and Excel (the caller's view, one row per
operation), and as a per-person iCal feed of due dates at a secret address.

Rows are built from `api.operation_out`, so a file holds exactly what `GET /api/schedule`
gives the same person, with the process's name, the quantities and local times added.
The schedule carries no price, so neither do the files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST, require_safe

from tenancy.context import Actor
from tenancy.middleware import membership_or_403

from . import feeds, ical, selectors
from .api import operation_out
from .models import Operation, Work, WorkStatus

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRODID = "-//Kumiai//Shared schedule//EN"
# Work no longer anyone's to make or receive: a past job, or moved to another shop (its
# new work is a row of its own).
FINISHED_WORK = (WorkStatus.CLOSED, WorkStatus.MOVED)


# -- rows ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleRow:
    id: int
    order: str
    line: str
    part_number: str
    process: str  # the name, in the reader's language
    shop: str
    machine: str
    start: datetime  # local (the server's zone), naive: what a spreadsheet can hold
    end: datetime
    due_date: date
    late: bool
    started: bool
    done: bool
    done_qty: int
    scrap_qty: int


def header() -> list[str]:
    # A literal context in each call: makemessages cannot read a variable.
    return [
        pgettext("schedule export column", "ID"),
        pgettext("schedule export column", "Order"),
        pgettext("schedule export column", "Line"),
        pgettext("schedule export column", "Part number"),
        pgettext("schedule export column", "Process"),
        pgettext("schedule export column", "Shop"),
        pgettext("schedule export column", "Machine"),
        pgettext("schedule export column", "Start"),
        pgettext("schedule export column", "End"),
        pgettext("schedule export column", "Due date"),
        pgettext("schedule export column", "Late"),
        pgettext("schedule export column", "Started"),
        pgettext("schedule export column", "Done"),
        pgettext("schedule export column", "Done qty"),
        pgettext("schedule export column", "Scrap qty"),
    ]


# Excel column widths (characters), in the header's order.
COLUMN_WIDTHS = (7, 12, 12, 16, 14, 22, 16, 17, 17, 11, 6, 6, 6, 9, 9)


def _local(moment: datetime) -> datetime:
    # To the second: a spreadsheet keeps milliseconds at best, and nobody plans in less.
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def row_of(op: Operation) -> ScheduleRow:
    out = operation_out(op)
    return ScheduleRow(
        id=out["id"],
        order=out["order"],
        line=out["line"],
        part_number=out["part_number"],
        process=op.process_label,
        shop=out["shop"],
        machine=out["machine"],
        start=_local(out["start"]),
        end=_local(out["end"]),
        due_date=out["due_date"],
        late=out["late"],
        started=out["started"],
        done=out["done"],
        done_qty=op.done_qty,
        scrap_qty=op.scrap_qty,
    )


def schedule_rows(
    ops: Iterable[Operation], *, shop: str = "", order: str = "", late_only: bool = False
) -> list[ScheduleRow]:
    """The page's filters: a shop and an order by name, and late-risk lines (a line with
    any operation ending after its due date) — every operation of such a line."""
    rows = [row_of(op) for op in ops]
    if shop:
        rows = [r for r in rows if r.shop == shop]
    if order:
        rows = [r for r in rows if r.order == order]
    if late_only:
        late_lines = {r.line for r in rows if r.late}
        rows = [r for r in rows if r.line in late_lines]
    return rows


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


# Text a spreadsheet would run as a formula (OWASP "CSV injection"): shown as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_cells(r: ScheduleRow) -> list[object]:
    minute = "%Y-%m-%d %H:%M"
    return [
        r.id,
        _text(r.order),
        _text(r.line),
        _text(r.part_number),
        _text(r.process),
        _text(r.shop),
        _text(r.machine),
        r.start.strftime(minute),
        r.end.strftime(minute),
        r.due_date.isoformat(),
        _yes_no(r.late),
        _yes_no(r.started),
        _yes_no(r.done),
        r.done_qty,
        r.scrap_qty,
    ]


def to_csv(rows: list[ScheduleRow]) -> bytes:
    buf = io.StringIO()
    # A byte-order mark: Excel in Japan opens UTF-8 CSV as Shift_JIS without it.
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(header())
    writer.writerows(csv_cells(r) for r in rows)
    return buf.getvalue().encode("utf-8")


def to_xlsx(rows: list[ScheduleRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Schedule")[:31])
    ws.freeze_panes = "A2"
    for i, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    titles = []
    for title in header():
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        titles.append(cell)
    ws.append(titles)

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        return cell

    def when(value: datetime | date, fmt: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = fmt
        return cell

    for r in rows:
        ws.append(
            [
                r.id,
                text(r.order),
                text(r.line),
                text(r.part_number),
                text(r.process),
                text(r.shop),
                text(r.machine),
                when(r.start, "yyyy-mm-dd hh:mm"),
                when(r.end, "yyyy-mm-dd hh:mm"),
                when(r.due_date, "yyyy-mm-dd"),
                _yes_no(r.late),
                _yes_no(r.started),
                _yes_no(r.done),
                r.done_qty,
                r.scrap_qty,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _filtered_rows(request: HttpRequest) -> list[ScheduleRow]:
    m = membership_or_403(request)
    return schedule_rows(
        selectors.operations(m),
        shop=request.GET.get("shop", ""),
        order=request.GET.get("order", ""),
        late_only=request.GET.get("late") == "1",
    )


def _attachment(body: bytes, content_type: str, ext: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    name = f"schedule-{timezone.localdate().isoformat()}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def schedule_csv(request: HttpRequest) -> HttpResponse:
    rows = _filtered_rows(request)
    return _attachment(to_csv(rows), "text/csv; charset=utf-8", "csv")


@login_required
@require_GET
def schedule_xlsx(request: HttpRequest) -> HttpResponse:
    rows = _filtered_rows(request)
    return _attachment(to_xlsx(rows), XLSX_TYPE, "xlsx")


# -- the calendar feed ---------------------------------------------------------------------
@login_required
@require_GET
def calendar_feed(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    feed = feeds.live_feed(m)
    url = request.build_absolute_uri(reverse("calendar_ics", args=[feed.token])) if feed else ""
    return render(
        request,
        "production/calendar_feed.html",
        {
            "feed": feed,
            "feed_url": url,
            # Apple Calendar and desktop Outlook subscribe from a webcal:// link.
            "webcal_url": "webcal://" + url.split("://", 1)[1] if url else "",
        },
    )


@login_required
@require_POST
def calendar_feed_new(request: HttpRequest) -> HttpResponse:
    membership_or_403(request)
    feeds.do_create_feed(acting=Actor.from_request(request))
    messages.success(request, _("A new address is ready. The old one no longer works."))
    return redirect("calendar_feed")


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    m = membership_or_403(request)
    feed = feeds.live_feed(m)
    if feed is not None:
        feeds.do_revoke_feed(feed, acting=Actor.from_request(request))
        messages.success(
            request, _("The address is revoked: calendars using it get no more dates.")
        )
    return redirect("calendar_feed")


def feed_events(works: Iterable[Work], schedule_url: str) -> list[ical.AllDayEvent]:
    events = []
    for w in works:
        line = w.line
        details = [w.get_status_display()]
        if line.order.title:
            details.append(line.order.title)
        events.append(
            ical.AllDayEvent(
                uid=f"work-{w.pk}@kumiai",
                day=w.due_date,
                summary=f"{line.label} {line.drawing.part_number} ×{line.quantity} · {w.shop.name}",
                description="\n".join(details),
                url=f"{schedule_url}?{urlencode({'order': line.order.number})}",
            )
        )
    return events


@require_safe  # calendar apps may ask HEAD first
def calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the address is the credential. Whatever is wrong with it, a bare 404."""
    m = feeds.membership_for_token(token)
    if m is None:
        raise Http404()
    works = selectors.works(m).exclude(status__in=FINISHED_WORK)
    language = m.user.language
    with translation.override(language) if language else nullcontext():
        text = ical.calendar(
            name=_("Kumiai due dates · %(org)s") % {"org": m.organization.name},
            prodid=PRODID,
            events=feed_events(works, request.build_absolute_uri(reverse("schedule"))),
            stamp=timezone.now(),
        )
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kumiai.ics"'
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, no_cache=True)
    return response
