"""An order's lines as CSV and Excel, and its quote as a PDF in Japanese.

The PDF uses reportlab's built-in CID font HeiseiKakuGo-W5 (the Adobe-Japan1 set every
PDF reader carries): no font file is shipped or downloaded, and the text stays text, so
it can be searched and extracted.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from .models import Order, OrderLine

HEADER = (
    "line",
    "part_number",
    "revision",
    "material",
    "thickness_mm",
    "processes",
    "quantity",
    "due_date",
    "splittable",
    "status",
    "best_shop",
    "best_total_jpy",
    "best_earliest_date",
    "shops_quoting",
)


def rows(order: Order, lines: list[OrderLine]) -> list[tuple[Any, ...]]:
    out = []
    for line in lines:
        best = next(iter(line.offers_from()), None)
        out.append(
            (
                f"{order.number}-{line.number}",
                line.drawing.part_number,
                line.revision.number,
                line.material,
                line.thickness_mm,
                " ".join(line.processes),
                line.quantity,
                line.due_date.isoformat(),
                "yes" if line.splittable else "no",
                line.status,
                best["shop"] if best else "",
                best["total_price_jpy"] if best else "",
                best["earliest_date"] if best else "",
                len(line.offers_from()),
            )
        )
    return out


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def lines_csv(order: Order, lines: list[OrderLine]) -> HttpResponse:
    buf = io.StringIO()
    # A byte-order mark: Excel in Japan opens UTF-8 CSV as Shift_JIS without it.
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows(order, lines))
    response = HttpResponse(buf.getvalue().encode(), content_type="text/csv; charset=utf-8")
    return _attachment(response, f"{order.number}.csv")


def lines_xlsx(order: Order, lines: list[OrderLine]) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(order.number)
    ws.append(HEADER)
    for row in rows(order, lines):
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return _attachment(response, f"{order.number}.xlsx")


FONT = "HeiseiKakuGo-W5"


def quote_pdf(order: Order, lines: list[OrderLine]) -> HttpResponse:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title = ParagraphStyle("t", fontName=FONT, fontSize=16, leading=22)
    body = ParagraphStyle("b", fontName=FONT, fontSize=9, leading=13)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, title=f"御見積書 {order.number}"
    )
    story: list[Any] = [
        Paragraph(f"御見積書　{order.number}", title),
        Spacer(1, 4 * mm),
        Paragraph(f"発注企業：{order.buyer.name}　　件名：{order.title or '—'}", body),
        Paragraph(
            f"作成日：{timezone.localdate().isoformat()}　　グループ：{order.buyer.group.name}",
            body,
        ),
        Spacer(1, 6 * mm),
    ]
    data = [
        [
            "明細",
            "図番",
            "材質・板厚",
            "工程",
            "数量",
            "納期",
            "最安の協力企業",
            "金額（円）",
            "最短納期",
        ]
    ]
    total = 0
    for line in lines:
        best = next(iter(line.offers_from()), None)
        total += best["total_price_jpy"] if best else 0
        data.append(
            [
                str(line.number),
                line.drawing.part_number,
                f"{line.material} t{line.thickness_mm:g}",
                "・".join(line.processes),
                f"{line.quantity:,}",
                line.due_date.isoformat(),
                best["shop"] if best else "製作できる企業なし",
                f"{best['total_price_jpy']:,}" if best else "—",
                best["earliest_date"] if best else "—",
            ]
        )
    data.append(["", "", "", "", "", "", "合計", f"{total:,}", ""])
    table = Table(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -2), 0.4, colors.grey),
                ("ALIGN", (4, 1), (4, -1), "RIGHT"),
                ("ALIGN", (7, 1), (7, -1), "RIGHT"),
                ("LINEABOVE", (6, -1), (7, -1), 0.8, colors.black),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    story.append(
        Paragraph(
            "金額は各協力企業の原価プロファイルによる自動見積です（消費税別）。"
            "最短納期は各社の稼働カレンダーと負荷によります。",
            body,
        )
    )
    doc.build(story)
    response = HttpResponse(buf.getvalue(), content_type="application/pdf")
    return _attachment(response, f"{order.number}.pdf")
