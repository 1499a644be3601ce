"""A supplier's price list from CSV (UTF-8 or Shift_JIS) or Excel, as rows for
quoting.purchasing.check_price_rows. A cell that cannot be read is a row error, named
by its row number as the file shows it (the header is row 1).

Columns (English or Japanese header, any order): material 材質, thickness_mm 板厚,
sheet 定尺 ("914x1829", "サブロク", "シハチ", "ゴトー") or sheet_w_mm 幅 + sheet_l_mm 長さ,
min_qty 最小数量, max_qty 最大数量 (optional, empty: and more), unit_price_jpy 単価.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation

from quoting.purchasing import STANDARD_SHEETS, PriceRow, RowError

MAX_ROWS = 5000

ALIASES = {
    "material": {"material", "材質", "材料"},
    "thickness_mm": {"thickness_mm", "thickness", "板厚", "板厚mm", "板厚(mm)"},
    "sheet": {"sheet", "定尺", "サイズ", "sheet_size"},
    "sheet_w_mm": {"sheet_w_mm", "width_mm", "幅", "幅mm"},
    "sheet_l_mm": {"sheet_l_mm", "length_mm", "長さ", "長さmm"},
    "min_qty": {"min_qty", "最小数量", "数量から", "from_qty"},
    "max_qty": {"max_qty", "最大数量", "数量まで", "to_qty"},
    "unit_price_jpy": {"unit_price_jpy", "unit_price", "単価", "単価円", "単価(円)"},
}
NAMED_SHEETS = {name: size for size, name in STANDARD_SHEETS.items()}
SIZE = re.compile(r"^\s*(\d+)\s*[x×X*]\s*(\d+)\s*$")


class PriceFileError(ValueError):
    """The file as a whole cannot be read (not CSV/Excel, no header, missing columns)."""


def read_table(file_name: str, data: bytes) -> list[list[object]]:
    if file_name.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        try:
            from openpyxl import load_workbook

            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise PriceFileError(f"not a readable Excel file: {exc}") from exc
        sheet = wb.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)]
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PriceFileError("not a CSV in UTF-8 or Shift_JIS, nor an Excel file")
    return [list(r) for r in csv.reader(io.StringIO(text))][: MAX_ROWS + 1]


def _header(cells: list[object]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = str(cell or "").strip().lower().replace(" ", "")
        for key, names in ALIASES.items():
            if name in {n.lower() for n in names}:
                columns.setdefault(key, i)
    missing = [
        k for k in ("material", "thickness_mm", "min_qty", "unit_price_jpy") if k not in columns
    ]
    if "sheet" not in columns and not {"sheet_w_mm", "sheet_l_mm"} <= set(columns):
        missing.append("sheet (or sheet_w_mm and sheet_l_mm)")
    if missing:
        raise PriceFileError("missing columns: " + ", ".join(missing))
    return columns


def _number(value: object, what: str) -> Decimal:
    text = str(value if value is not None else "").strip().replace(",", "").replace("¥", "")
    if not text:
        raise ValueError(f"{what} is empty")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{what} {text!r} is not a number") from exc


def _whole(value: object, what: str) -> int:
    n = _number(value, what)
    if n != n.to_integral_value():
        raise ValueError(f"{what} {n} must be a whole number")
    return int(n)


def _sheet(cells: list[object], columns: dict[str, int]) -> tuple[int, int]:
    if "sheet" in columns:
        text = str(_cell(cells, columns["sheet"]) or "").strip()
        if text in NAMED_SHEETS:
            return NAMED_SHEETS[text]
        match = SIZE.match(text)
        if not match:
            raise ValueError(f"sheet {text!r} is neither W×L in mm nor a standard name")
        return int(match[1]), int(match[2])
    w = _whole(_cell(cells, columns["sheet_w_mm"]), "sheet width")
    length = _whole(_cell(cells, columns["sheet_l_mm"]), "sheet length")
    return w, length


def _cell(cells: list[object], i: int) -> object:
    return cells[i] if i < len(cells) else None


def parse_price_file(file_name: str, data: bytes) -> tuple[list[PriceRow], list[RowError]]:
    table = read_table(file_name, data)
    if not table:
        raise PriceFileError("the file is empty")
    columns = _header(table[0])
    if len(table) > MAX_ROWS:
        raise PriceFileError(f"more than {MAX_ROWS} rows")
    rows: list[PriceRow] = []
    errors: list[RowError] = []
    for n, cells in enumerate(table[1:], start=2):
        if all(str(c or "").strip() == "" for c in cells):
            continue
        try:
            w, length = _sheet(cells, columns)
            max_cell = _cell(cells, columns["max_qty"]) if "max_qty" in columns else None
            rows.append(
                PriceRow(
                    row=n,
                    material=str(_cell(cells, columns["material"]) or "").strip().upper(),
                    thickness_mm=float(_number(_cell(cells, columns["thickness_mm"]), "thickness")),
                    sheet_w_mm=min(w, length),
                    sheet_l_mm=max(w, length),
                    min_qty=_whole(_cell(cells, columns["min_qty"]), "minimum quantity"),
                    max_qty=None
                    if str(max_cell or "").strip() == ""
                    else _whole(max_cell, "maximum quantity"),
                    unit_price_jpy=_whole(_cell(cells, columns["unit_price_jpy"]), "unit price"),
                )
            )
        except ValueError as exc:
            errors.append(RowError(n, str(exc)))
    if not rows and not errors:
        raise PriceFileError("the file has a header but no prices")
    return rows, errors
