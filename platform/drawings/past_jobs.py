"""Reading an order history (CSV or Excel .xlsx) into past-job rows, without the database.

A history comes as people keep it: English or Japanese headers (品番, 受注日, 単価 …),
perhaps a title above the header row, CSV in UTF-8 (with or without BOM) or in Shift_JIS
as Japanese Excel writes it, prices with ¥, commas and full-width digits, dates as
2026-11-27, 2026/11/27, 令和8年11月27日 or Excel date cells. Each row becomes a
`PastJobRow` or a `RowError` that names the row as the spreadsheet numbers it and says
every reason, so the person can fix the file; the action imports all rows or none.

Everything is streamed: a CSV is read line by line, an .xlsx through openpyxl's read-only
mode, so memory does not grow with the file. Limits (bytes, rows, unpacked size) are
checked before or while reading, never after.
"""

from __future__ import annotations

import codecs
import csv
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from .actions import part_number_key

# -- limits --------------------------------------------------------------------------------
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
# An .xlsx is a zip; its sheets unpacked beyond this are a bomb, not a history.
MAX_XLSX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_XLSX_ENTRIES = 10_000
MAX_COLUMNS = 200
# Rows looked at for the header (a title and a blank line above it are common).
HEADER_SEARCH_ROWS = 20
# Errors listed in a preview or a refusal; all are counted.
MAX_LISTED_ERRORS = 1000

# The model's columns (PastJob); PostgreSQL's integer is the bound of a quantity.
PART_NUMBER_CHARS = 120
DRAWING_REF_CHARS = 200
SHOP_CHARS = 200
NOTES_CHARS = 500
MAX_QUANTITY = 2_147_483_647
MAX_LEAD_TIME_DAYS = 3650
MAX_UNIT_PRICE = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)
EARLIEST_ORDER_DATE = date(1950, 1, 1)
DEFAULT_CURRENCY = "JPY"
# Excel dates are wall-clock days with no zone; a Mac workbook may count from 1904.
EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001

# -- fields and headers --------------------------------------------------------------------
FIELDS = (
    "part_number",
    "drawing_ref",
    "order_date",
    "quantity",
    "unit_price",
    "currency",
    "shop",
    "lead_time_days",
    "notes",
)
REQUIRED = ("part_number", "order_date", "quantity", "unit_price")

FIELD_LABELS = {
    "part_number": gettext_lazy("part number"),
    "drawing_ref": gettext_lazy("drawing reference"),
    "order_date": gettext_lazy("order date"),
    "quantity": gettext_lazy("quantity"),
    "unit_price": gettext_lazy("unit price"),
    "currency": gettext_lazy("currency"),
    "shop": gettext_lazy("shop"),
    "lead_time_days": gettext_lazy("lead time (days)"),
    "notes": gettext_lazy("notes"),
}

_HEADERS = {
    "part_number": (
        "part number", "part no", "part#", "part", "pn", "p/n", "item number", "item no",
        "item code", "品番", "部品番号", "品目番号", "品目コード", "部品コード", "品名コード",
        "製品番号", "型番",
    ),
    "drawing_ref": (
        "drawing", "drawing reference", "drawing ref", "drawing no", "drawing number", "dwg",
        "dwg no", "図番", "図面番号", "図面", "図面no", "図面ファイル",
    ),
    "order_date": (
        "order date", "ordered", "ordered on", "date", "po date", "受注日", "発注日", "注文日",
        "日付", "受注年月日", "発注年月日",
    ),
    "quantity": (
        "quantity", "qty", "q'ty", "数量", "個数", "受注数", "発注数", "受注数量", "発注数量",
    ),
    "unit_price": (
        "unit price", "price", "unit cost", "price per unit", "単価", "受注単価", "発注単価",
        "加工単価", "仕入単価",
    ),
    "currency": ("currency", "ccy", "通貨", "通貨コード", "通貨単位"),
    "shop": (
        "shop", "maker", "supplier", "vendor", "manufacturer", "made by", "加工先", "製作先",
        "仕入先", "外注先", "協力企業", "発注先", "加工会社", "メーカー",
    ),
    "lead_time_days": (
        "lead time days", "lead time", "leadtime", "lead days", "lt", "納期日数",
        "リードタイム", "リードタイム日数", "所要日数",
    ),
    "notes": (
        "notes", "note", "remarks", "remark", "comment", "comments", "memo", "備考", "メモ",
        "摘要", "コメント",
    ),
}  # fmt: skip
_PUNCT = re.compile(r"[\s_\-./#:：・'’]")
_BRACKETED = re.compile(r"[(\[【〔].*?[)\]】〕]")


def _header_key(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).casefold())


_HEADER_TO_FIELD = {_header_key(h): f for f, names in _HEADERS.items() for h in names}


# -- problems (English msgids, translated when shown) ---------------------------------------
_MESSAGES = {
    "REQUIRED": gettext_noop("%(field)s is missing"),
    "TOO_LONG": gettext_noop("%(field)s is longer than %(max)s characters"),
    "BAD_PART_NUMBER": gettext_noop("“%(value)s” has no letters or digits"),
    "BAD_DATE": gettext_noop("“%(value)s” is not a date (write 2026-11-27 or 2026/11/27)"),
    "FUTURE_DATE": gettext_noop("%(value)s is in the future"),
    "OLD_DATE": gettext_noop("%(value)s is before 1950"),
    "BAD_QUANTITY": gettext_noop("“%(value)s” is not a whole number of pieces"),
    "QUANTITY_NOT_POSITIVE": gettext_noop("the quantity must be 1 or more, not %(value)s"),
    "QUANTITY_TOO_LARGE": gettext_noop("the quantity %(value)s is too large"),
    "BAD_PRICE": gettext_noop("“%(value)s” is not a price"),
    "PRICE_NOT_POSITIVE": gettext_noop("the unit price must be more than 0, not %(value)s"),
    "PRICE_DECIMALS": gettext_noop("“%(value)s” has more than 2 decimal places"),
    "PRICE_TOO_LARGE": gettext_noop("the unit price %(value)s is too large"),
    "BAD_CURRENCY": gettext_noop("“%(value)s” is not a currency code (such as JPY or USD)"),
    "CURRENCY_CONFLICT": gettext_noop(
        "the price is written in %(symbol)s but the currency column says %(value)s"
    ),
    "BAD_LEAD_TIME": gettext_noop("“%(value)s” is not a number of days"),
    "LEAD_TIME_TOO_LARGE": gettext_noop("%(value)s days is too long for a lead time"),
}


@dataclass(frozen=True)
class Problem:
    """One reason a row cannot be imported: which field, a stable code, what was there."""

    field: str
    code: str
    value: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> str:
        """In the active language (the request's)."""
        params = {"field": str(FIELD_LABELS[self.field]), "value": self.value, **dict(self.extra)}
        return _(_MESSAGES[self.code]) % params

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "code": self.code,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is usually row 1
    problems: tuple[Problem, ...]

    @property
    def message(self) -> str:
        reasons = "; ".join(p.message for p in self.problems)
        return _("Row %(row)s: %(reasons)s") % {"row": self.row, "reasons": reasons}

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "message": self.message,
            "problems": [p.as_dict() for p in self.problems],
        }


_FILE_MESSAGES = {
    "FILE_TOO_LARGE": gettext_noop(
        "The file is larger than %(limit_mb)s MB. Split it into smaller files."
    ),
    "TOO_MANY_ROWS": gettext_noop(
        "The file has more than %(limit)s rows. Split it into files of at most %(limit)s rows."
    ),
    "EMPTY": gettext_noop("The file has no rows."),
    "OLD_EXCEL": gettext_noop(
        "Old Excel files (.xls) cannot be read. Save the sheet as .xlsx or CSV and try again."
    ),
    "UNSUPPORTED": gettext_noop("Only CSV and Excel (.xlsx) files can be imported."),
    "BAD_XLSX": gettext_noop("The Excel file cannot be read (%(reason)s)."),
    "XLSX_TOO_LARGE": gettext_noop(
        "The Excel file unpacks to more than %(limit_mb)s MB; it is refused."
    ),
    "ENCODING": gettext_noop(
        "The file is neither UTF-8 nor Shift_JIS text. Save it as CSV (UTF-8) or .xlsx."
    ),
    "BAD_CSV": gettext_noop("The CSV file cannot be read at row %(row)s (%(reason)s)."),
    "MAPPING_INCOMPLETE": gettext_noop("Choose the column for: %(fields)s."),
    "BAD_MAPPING": gettext_noop("The column mapping is not valid (%(reason)s)."),
    "STAGED_GONE": gettext_noop("The uploaded file is no longer available; upload it again."),
}


class FileRefused(ValueError):
    """The file as a whole cannot be imported; nothing was read into the database."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        params = {k: str(v) for k, v in self.params.items()}
        return _(_FILE_MESSAGES[self.code]) % params

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


# -- the file --------------------------------------------------------------------------------
Cells = Sequence[object]


@dataclass(frozen=True)
class Table:
    """An open history: its header, and its data rows as (row number, cells), streamed."""

    kind: str  # "csv" | "xlsx"
    encoding: str  # the CSV's, "" for .xlsx
    sheet: str
    header_row: int
    headers: tuple[str, ...]
    rows: Iterator[tuple[int, Cells]]
    excel_epoch: datetime = EXCEL_EPOCH


def sniff_kind(head: bytes, file_name: str) -> str:
    name = file_name.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise FileRefused("OLD_EXCEL")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.endswith((".xlsx", ".xlsm", ".zip")):
        raise FileRefused("BAD_XLSX", reason=_("not a zip archive"))
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused("UNSUPPORTED")
    return "csv"


@contextmanager
def open_table(path: Path, file_name: str) -> Iterator[Table]:
    """Open a CSV or .xlsx history for streaming; refuse what is not one."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileRefused("FILE_TOO_LARGE", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    if size == 0:
        raise FileRefused("EMPTY")
    with open(path, "rb") as f:
        head = f.read(4096)  # a NUL in here is a binary file, not text
    if sniff_kind(head, file_name) == "xlsx":
        with _open_xlsx(path) as table:
            yield table
    else:
        with _open_csv(path) as table:
            yield table


def detect_encoding(path: Path, chunk_bytes: int = 1 << 20) -> str:
    """UTF-8 (BOM or not), UTF-16 with its BOM (Excel's "Unicode text"), else Shift_JIS
    (cp932, Microsoft's, which Japanese Excel writes): the whole file must decode."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp932"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as f:
                while chunk := f.read(chunk_bytes):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRefused("ENCODING")


@contextmanager
def _open_csv(path: Path) -> Iterator[Table]:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as f:
        # The separator most used near the top: a title line above the header has none.
        sample = f.read(64 * 1024)
        delimiter = max(",\t;", key=sample.count)
        f.seek(0)
        reader = csv.reader(f, delimiter=delimiter)

        def records() -> Iterator[tuple[int, Cells]]:
            # A record is a row in Excel even when a quoted cell spans lines.
            n = 0
            try:
                for n, cells in enumerate(reader, start=1):  # noqa: B007 - n is read below
                    yield n, cells[:MAX_COLUMNS]
            except csv.Error as exc:
                raise FileRefused("BAD_CSV", row=n + 1, reason=str(exc)) from exc

        header_row, headers, rows = _find_header(records())
        yield Table("csv", encoding, "", header_row, headers, rows)


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except zipfile.BadZipFile as exc:
        raise FileRefused("BAD_XLSX", reason=str(exc)) from exc
    if "xl/workbook.xml" not in names:
        raise FileRefused("BAD_XLSX", reason=_("not an Excel workbook"))
    if len(infos) > MAX_XLSX_ENTRIES or sum(i.file_size for i in infos) > MAX_XLSX_UNPACKED_BYTES:
        raise FileRefused("XLSX_TOO_LARGE", limit_mb=MAX_XLSX_UNPACKED_BYTES // (1024 * 1024))
    try:
        # data_only: a formula cell gives the value Excel last computed, not "=B2*C2".
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileRefused("BAD_XLSX", reason=type(exc).__name__) from exc
    try:
        sheets = wb.worksheets  # worksheets only: a chart sheet holds no rows
        if not sheets:
            raise FileRefused("EMPTY")
        active = wb.active
        ws = active if any(sheet is active for sheet in sheets) else sheets[0]
        # The stored dimension can be wrong (some writers say A1:A1); trusting it would
        # silently drop rows, so read every row the sheet holds.
        ws.reset_dimensions()

        def records() -> Iterator[tuple[int, Cells]]:
            try:
                for n, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                    yield n, cells[:MAX_COLUMNS]
            except FileRefused:
                raise
            except Exception as exc:
                raise FileRefused("BAD_XLSX", reason=type(exc).__name__) from exc

        header_row, headers, rows = _find_header(records())
        yield Table("xlsx", "", ws.title, header_row, headers, rows, wb.epoch)
    finally:
        wb.close()


def _is_empty(cells: Cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _find_header(
    records: Iterator[tuple[int, Cells]],
) -> tuple[int, tuple[str, ...], Iterator[tuple[int, Cells]]]:
    """The header is the first row that names two known columns; failing that, the first
    row with anything in it. Rows above it (a title, a date) are not data."""
    seen: list[tuple[int, Cells]] = []
    for n, cells in records:
        if _is_empty(cells):
            continue
        seen.append((n, cells))
        if len(guess_mapping(_texts(cells)).columns) >= 2 or len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise FileRefused("EMPTY")
    pick = next(
        (i for i, (_n, c) in enumerate(seen) if len(guess_mapping(_texts(c)).columns) >= 2), 0
    )
    header_row, header_cells = seen[pick]

    def rest() -> Iterator[tuple[int, Cells]]:
        yield from seen[pick + 1 :]
        yield from records

    return header_row, _texts(header_cells), rest()


def _texts(cells: Cells) -> tuple[str, ...]:
    return tuple(_text(c) for c in cells)


# -- mapping ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mapping:
    """Which column (0-based) holds each field; fields without a column are absent."""

    columns: dict[str, int] = field(default_factory=dict)
    default_currency: str = DEFAULT_CURRENCY

    def missing(self) -> tuple[str, ...]:
        return tuple(f for f in REQUIRED if f not in self.columns)

    def require_complete(self) -> None:
        if self.missing():
            labels = ", ".join(str(FIELD_LABELS[f]) for f in self.missing())
            raise FileRefused("MAPPING_INCOMPLETE", fields=labels)

    def as_dict(self) -> dict[str, int | None]:
        return {f: self.columns.get(f) for f in FIELDS}


def field_for_header(header: str) -> str | None:
    key = _header_key(header)
    if not key:
        return None
    return _HEADER_TO_FIELD.get(key) or _HEADER_TO_FIELD.get(
        _header_key(_BRACKETED.sub("", unicodedata.normalize("NFKC", header)))
    )


def guess_mapping(headers: Sequence[str]) -> Mapping:
    """Each known header to its field; the first column wins. A currency in a price
    header ("Unit price (USD)", "単価(円)") becomes the default currency."""
    columns: dict[str, int] = {}
    default_currency = DEFAULT_CURRENCY
    for i, header in enumerate(headers):
        name = field_for_header(header)
        if name and name not in columns:
            columns[name] = i
            if name == "unit_price":
                hint = re.search(r"[(\[【〔](.*?)[)\]】〕]", unicodedata.normalize("NFKC", header))
                code = _currency_code(hint.group(1)) if hint else None
                default_currency = code or default_currency
    return Mapping(columns, default_currency)


def mapping_from_spec(spec: dict[str, object], headers: Sequence[str]) -> Mapping:
    """A mapping given by a person or a tool: per field a header text, a column letter
    ("C"), a 0-based index, or "" / None for none. Fields not named keep the guess."""
    guessed = guess_mapping(headers)
    columns = dict(guessed.columns)
    default_currency = guessed.default_currency
    for name, value in spec.items():
        if name == "default_currency":
            code = _currency_code(str(value or "")) if value else DEFAULT_CURRENCY
            if code is None:
                raise FileRefused("BAD_MAPPING", reason=f"default_currency {value!r}")
            default_currency = code
            continue
        if name not in FIELDS:
            raise FileRefused("BAD_MAPPING", reason=f"unknown field {name!r}")
        index = _column_index(value, headers)
        if index is None:
            columns.pop(name, None)
        else:
            columns[name] = index
    return Mapping(columns, default_currency)


def _column_index(value: object, headers: Sequence[str]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        index = value
    else:
        text = str(value).strip()
        exact = [i for i, h in enumerate(headers) if h == text]
        if exact:
            index = exact[0]
        elif text.isdigit():
            index = int(text)
        elif re.fullmatch(r"[A-Za-z]{1,2}", text):
            index = column_index_of_letter(text)
        else:
            raise FileRefused("BAD_MAPPING", reason=f"no column {text!r}")
    if not 0 <= index < max(len(headers), 1):
        raise FileRefused("BAD_MAPPING", reason=f"no column {value!r}")
    return index


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how Excel names a column."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index_of_letter(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


# -- one row -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PastJobRow:
    row: int
    part_number: str
    part_number_key: str
    drawing_ref: str
    order_date: date
    quantity: int
    unit_price: Decimal  # in `currency`, never converted
    currency: str
    shop_name: str
    lead_time_days: int | None
    notes: str


def read_rows(
    table: Table, mapping: Mapping, *, today: date, max_rows: int | None = None
) -> Iterator[PastJobRow | RowError]:
    """Every non-empty data row, checked. Raises FileRefused past `max_rows` rows (the
    rows before are already yielded: the caller's transaction makes it all or nothing)."""
    mapping.require_complete()
    limit = MAX_ROWS if max_rows is None else max_rows
    count = 0
    for n, cells in table.rows:
        if _is_empty(cells):
            continue
        count += 1
        if count > limit:
            raise FileRefused("TOO_MANY_ROWS", limit=f"{limit:,}")
        yield check_row(n, cells, mapping, today=today, epoch=table.excel_epoch)


def check_row(
    n: int, cells: Cells, mapping: Mapping, *, today: date, epoch: datetime = EXCEL_EPOCH
) -> PastJobRow | RowError:
    def cell(name: str) -> object:
        i = mapping.columns.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    problems: list[Problem] = []

    def text(name: str, limit: int, required: bool = False) -> str:
        value = _text(cell(name))
        if not value and required:
            problems.append(Problem(name, "REQUIRED"))
        elif len(value) > limit:
            problems.append(Problem(name, "TOO_LONG", value[:40], (("max", str(limit)),)))
        return value

    part_number = text("part_number", PART_NUMBER_CHARS, required=True)
    key = part_number_key(part_number) if part_number else ""
    if part_number and len(part_number) <= PART_NUMBER_CHARS and not re.search(r"\w", key):
        problems.append(Problem("part_number", "BAD_PART_NUMBER", part_number))
    drawing_ref = text("drawing_ref", DRAWING_REF_CHARS)
    shop_name = text("shop", SHOP_CHARS)
    notes = text("notes", NOTES_CHARS)

    order_date = _checked(problems, "order_date", parse_date(cell("order_date"), today, epoch))
    quantity = _checked(problems, "quantity", parse_quantity(cell("quantity")))
    price = _checked(problems, "unit_price", parse_price(cell("unit_price")))
    lead_time = _checked(problems, "lead_time_days", parse_lead_time(cell("lead_time_days")))
    currency = _checked(
        problems, "currency", parse_currency(cell("currency"), mapping.default_currency)
    )
    if isinstance(price, tuple) and isinstance(currency, tuple):
        (_amount, symbol_currency), (code, explicit) = price, currency
        if symbol_currency and explicit and symbol_currency != code:
            problems.append(
                Problem("currency", "CURRENCY_CONFLICT", code, (("symbol", symbol_currency),))
            )
        elif symbol_currency and not explicit:
            currency = (symbol_currency, False)
    if problems:
        return RowError(n, tuple(problems))
    assert isinstance(price, tuple) and isinstance(currency, tuple)
    return PastJobRow(
        row=n,
        part_number=part_number,
        part_number_key=key,
        drawing_ref=drawing_ref,
        order_date=order_date,  # type: ignore[arg-type]
        quantity=quantity,  # type: ignore[arg-type]
        unit_price=price[0],
        currency=currency[0],
        shop_name=shop_name,
        lead_time_days=lead_time,  # type: ignore[arg-type]
        notes=notes,
    )


class _Bad:
    """What a parser returns for a value it refuses: the code and the value as shown."""

    __slots__ = ("code", "value")

    def __init__(self, code: str, value: object) -> None:
        self.code, self.value = code, value


def _checked(problems: list[Problem], name: str, result: object) -> object:
    if isinstance(result, _Bad):
        problems.append(Problem(name, result.code, _shown(result.value)))
        return None
    return result


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return _text(value)[:40]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", _text(value)).strip()


_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
_ISO_LIKE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_ERA = re.compile(
    r"(令和|平成|R|H)\s*(\d{1,2}|元)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
)


def parse_date(value: object, today: date, epoch: datetime = EXCEL_EPOCH) -> date | _Bad:
    """ISO, 2026/11/27, 2026年11月27日, 20261127, 令和8年11月27日 / R8.11.27, an Excel
    date cell, or an Excel serial number (a date cell that lost its format)."""
    if value is None or value == "":
        return _Bad("REQUIRED", "")
    got: date | None = None
    if isinstance(value, datetime):
        got = value.date()
    elif isinstance(value, date):
        got = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        got = _serial(float(value), epoch)
    else:
        s = _nfkc(value).upper()
        if not s:
            return _Bad("REQUIRED", "")
        try:
            if m := _ISO_LIKE.fullmatch(s):
                got = date(int(m[1]), int(m[2]), int(m[3]))
            elif m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s):
                got = date(int(m[1]), int(m[2]), int(m[3]))
            elif m := _ERA.fullmatch(s):
                year = 1 if m[2] == "元" else int(m[2])
                got = date(_ERAS[m[1]] + year, int(m[3]), int(m[4]))
            elif re.fullmatch(r"\d{5}(\.\d+)?", s):
                got = _serial(float(s), epoch)
        except ValueError:
            got = None  # 2026/2/30: shaped like a date, but not one
    if got is None:
        return _Bad("BAD_DATE", value)
    if got > today:
        return _Bad("FUTURE_DATE", got.isoformat())
    if got < EARLIEST_ORDER_DATE:
        return _Bad("OLD_DATE", got.isoformat())
    return got


def _serial(value: float, epoch: datetime) -> date | None:
    if not math.isfinite(value) or not 1 <= value < 2_958_466:  # Excel's last day: 9999-12-31
        return None
    if epoch == EXCEL_EPOCH and value < 61:
        value += 1  # Excel counts a 29 February 1900 that never was
    return (epoch + timedelta(days=int(value))).date()


_QUANTITY_UNITS = re.compile(r"(個|枚|本|台|ヶ|ケ|コ|点|セット|式|PCS|PC|EA|SETS?)$")


def parse_quantity(value: object) -> int | _Bad:
    if value is None or value == "":
        return _Bad("REQUIRED", "")
    if isinstance(value, bool) or isinstance(value, date):
        return _Bad("BAD_QUANTITY", value)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return _Bad("BAD_QUANTITY", value)
        value = int(value)
    if isinstance(value, int):
        n = value
    else:
        s = _QUANTITY_UNITS.sub("", _nfkc(value).upper().replace(" ", "")).replace(",", "")
        if not s:
            return _Bad("REQUIRED", "")
        if re.fullmatch(r"[-−▲△]\d+", s):
            return _Bad("QUANTITY_NOT_POSITIVE", value)
        if m := re.fullmatch(r"(\d+)(?:\.0+)?", s):
            n = int(m[1])
        else:
            return _Bad("BAD_QUANTITY", value)
    if n <= 0:
        return _Bad("QUANTITY_NOT_POSITIVE", value)
    if n > MAX_QUANTITY:
        return _Bad("QUANTITY_TOO_LARGE", value)
    return n


_PRICE = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# A Shift_JIS file shows byte 0x5C as ¥ but it decodes as a backslash: a backslash before
# an amount is a yen sign.
_SYMBOLS = (("US$", "USD"), ("¥", "JPY"), ("\\", "JPY"), ("$", "USD"), ("€", "EUR"))
_SUFFIXES = (("円", "JPY"), ("元", "CNY"))


def parse_price(value: object) -> tuple[Decimal, str | None] | _Bad:
    """The amount and, when the cell says so (¥, 円, $, €), its currency."""
    if value is None or value == "":
        return _Bad("REQUIRED", "")
    if isinstance(value, bool) or isinstance(value, date):
        return _Bad("BAD_PRICE", value)
    symbol: str | None = None
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return _Bad("BAD_PRICE", value)
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        # A float cell carries binary noise (1200.1 is 1200.0999…); cents are what count.
        if isinstance(value, float) and abs(amount - amount.quantize(Decimal("0.01"))) < Decimal(
            "1e-6"
        ):
            amount = amount.quantize(Decimal("0.01"))
    else:
        s = _nfkc(value).replace(" ", "")
        if not s:
            return _Bad("REQUIRED", "")
        negative = s[:1] in "-−▲△" and len(s) > 1
        s = s.lstrip("-−▲△")
        for mark, code in _SYMBOLS:
            if s.startswith(mark):
                s, symbol = s[len(mark) :], code
                break
        s = s.rstrip("-")  # "¥1,200-": the dash that closes an amount on a Japanese slip
        for mark, code in _SUFFIXES:
            if s.endswith(mark):
                s, symbol = s[: -len(mark)], symbol or code
                break
        if not _PRICE.fullmatch(s):
            return _Bad("BAD_PRICE", value)
        try:
            amount = Decimal(s.replace(",", ""))
        except InvalidOperation:
            return _Bad("BAD_PRICE", value)
        if negative:
            amount = -amount
    if amount <= 0:
        return _Bad("PRICE_NOT_POSITIVE", value)
    if amount != amount.quantize(Decimal("0.01")):
        return _Bad("PRICE_DECIMALS", value)
    if amount > MAX_UNIT_PRICE:
        return _Bad("PRICE_TOO_LARGE", value)
    return amount.quantize(Decimal("0.01")), symbol


def parse_lead_time(value: object) -> int | None | _Bad:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, date):
        return _Bad("BAD_LEAD_TIME", value)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return _Bad("BAD_LEAD_TIME", value)
        value = int(value)
    if isinstance(value, int):
        n = value
    else:
        s = re.sub(r"(日間|日|DAYS?|D)$", "", _nfkc(value).upper().replace(" ", ""))
        if not s:
            return None
        if not s.isdigit():
            return _Bad("BAD_LEAD_TIME", value)
        n = int(s)
    if n < 0:
        return _Bad("BAD_LEAD_TIME", value)
    if n > MAX_LEAD_TIME_DAYS:
        return _Bad("LEAD_TIME_TOO_LARGE", value)
    return n


_CURRENCY_ALIASES = {
    "¥": "JPY", "円": "JPY", "YEN": "JPY", "JP¥": "JPY", "日本円": "JPY",
    "$": "USD", "US$": "USD", "ドル": "USD", "米ドル": "USD",
    "€": "EUR", "ユーロ": "EUR",
    "元": "CNY", "人民元": "CNY", "RMB": "CNY",
}  # fmt: skip


def _currency_code(text: str) -> str | None:
    s = unicodedata.normalize("NFKC", text).strip().upper()
    if s in _CURRENCY_ALIASES:
        return _CURRENCY_ALIASES[s]
    return s if re.fullmatch(r"[A-Z]{3}", s) else None


def parse_currency(value: object, default: str) -> tuple[str, bool] | _Bad:
    """(ISO 4217 code, whether the row said it); an empty cell is the default."""
    s = _text(value)
    if not s:
        return default, False
    code = _currency_code(s)
    if code is None:
        return _Bad("BAD_CURRENCY", value)
    return code, True


# -- shops -----------------------------------------------------------------------------------
_COMPANY_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|\(株\)|\(有\)|\(同\)"
    r"|[\s,]*(?:co\.?,?\s*ltd\.?|inc\.?|corporation|corp\.?)$"
)


def shop_key(name: str) -> str:
    """A shop as people write it: width, case, spaces and the company form (株式会社,
    ㈱, Co., Ltd.) do not count."""
    s = unicodedata.normalize("NFKC", name).casefold()
    s = _COMPANY_FORMS.sub("", s)
    return re.sub(r"[\s,.・]", "", s)
