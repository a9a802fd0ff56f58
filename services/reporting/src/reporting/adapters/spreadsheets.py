"""Writing a table of a view's body as CSV or XLSX (see domain/tables.py for the specs).

CSV is RFC 4180 in UTF-8 with a byte-order mark, without which Excel reads Vietnamese as mojibake.
XLSX has the table on its first sheet (bold, frozen header; numbers and dates typed, so a spreadsheet
can sum and sort them) and what the report covers on a second sheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reporting.domain.labels import Lang, label
from reporting.domain.tables import MISSING, Column, TableSpec, cell, lookup, rows_of

Fmt = Literal["csv", "xlsx"]
FORMATS: tuple[Fmt, ...] = ("csv", "xlsx")
MEDIA_TYPES: dict[Fmt, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DATE_FORMAT = "DD/MM/YYYY"  # how dates are written in Vietnam
_SHEETS = {"vi": ("Dữ liệu", "Thông tin"), "en": ("Data", "About")}
_ABOUT: tuple[tuple[str, str, str], ...] = (
    ("as_of", "Số liệu tính đến ngày", "Figures as of"),
    ("current_to", "Dữ liệu cập nhật đến", "Data current to"),
    ("year", "Năm", "Year"),
    ("within_days", "Trong số ngày tới", "Within days"),
    ("window.from", "Từ ngày", "From"),
    ("window.to", "Đến ngày", "To"),
    ("slice.unit_id", "Đơn vị", "Unit"),
    ("slice.sectors", "Khối", "Sectors"),
    ("slice.levels", "Cấp", "Levels"),
    ("slice.former_province", "Tỉnh cũ", "Former province"),
)


def value(column: Column, row: dict[str, Any], lang: Lang) -> Any:
    """A cell's typed value: numbers stay numbers, ISO dates become dates, codes become labels."""
    raw = cell(column, row)
    if raw is None:
        return None
    match column.type:
        case "int":
            return int(raw)
        case "number":
            return float(raw)
        case "date":
            return dt.date.fromisoformat(str(raw)[:10])
        case "datetime":
            return dt.datetime.fromisoformat(str(raw))
        case "bool":
            return label("yes_no", str(bool(raw)).lower(), lang)
        case "enum":
            return label(column.enum, str(raw), lang) if column.enum else str(raw)
        case "list":
            return "; ".join(label(column.enum, str(v), lang) if column.enum else str(v) for v in raw)
    return str(raw)


def table(spec: TableSpec, body: dict[str, Any], lang: Lang) -> tuple[list[str], list[list[Any]]]:
    """Headers and typed rows."""
    headers = [c.header(lang) for c in spec.columns]
    return headers, [[value(c, row, lang) for c in spec.columns] for row in rows_of(spec, body)]


def about(spec: TableSpec, body: dict[str, Any], lang: Lang) -> list[tuple[str, str]]:
    """What the report covers, as (label, text) pairs; keys the body lacks or leaves empty are left out."""
    lines = [("Báo cáo" if lang == "vi" else "Report", spec.title(lang))]
    for key, vi, en in _ABOUT:
        found = lookup(body, key)
        if found is MISSING or found is None or found == []:
            continue
        if key in ("slice.sectors", "slice.levels"):
            found = [label(key.removeprefix("slice.").rstrip("s"), code, lang) for code in found]
        lines.append((vi if lang == "vi" else en, "; ".join(found) if isinstance(found, list) else str(found)))
    return lines


def render(spec: TableSpec, body: dict[str, Any], fmt: Fmt, lang: Lang = "vi") -> bytes:
    """The table of `body` that `spec` describes, as a CSV or XLSX file."""
    headers, rows = table(spec, body, lang)
    if fmt == "csv":
        return _csv(headers, rows)
    return _xlsx(headers, rows, about(spec, body, lang), lang)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting like this would run as a formula when the file is opened in a spreadsheet."""


def _csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str) and v.startswith(FORMULA_STARTS):
        return "'" + v  # OWASP's advice for CSV injection: a leading quote keeps it text
    return v


def _csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CRLF, quotes only where needed
    writer.writerow(headers)
    writer.writerows([[_csv_cell(v) for v in r] for r in rows])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(headers: list[str], rows: list[list[Any]], covers: list[tuple[str, str]], lang: Lang) -> bytes:
    book = Workbook()
    data = book.active
    assert data is not None  # a new workbook always has one sheet
    data.title, info_title = _SHEETS[lang]
    data.append(headers)
    for cell_ in data[1]:
        cell_.font = Font(bold=True)
    for row in rows:
        data.append(row)
    for column in data.iter_cols(min_row=2):
        for c in column:
            if isinstance(c.value, dt.date):
                c.number_format = DATE_FORMAT
            elif isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"  # openpyxl stores "=..." as a formula; names from the data are never formulas
    data.freeze_panes = "A2"
    for i, header in enumerate(headers, 1):  # wide enough for the header, within reason
        data.column_dimensions[get_column_letter(i)].width = min(max(10, len(header) + 2), 40)
    info = book.create_sheet(info_title)
    for name, text in covers:
        info.append([name, text])
    for c in info["A"]:
        c.font = Font(bold=True)
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(spec: TableSpec, body: dict[str, Any], fmt: Fmt) -> str:
    """`headcount_2024-12-31.xlsx`; a view without a day is named by its year or its freshness."""
    stamp = body.get("as_of") or body.get("year") or (body.get("current_to") or "")[:10] or "latest"
    former = (body.get("slice") or {}).get("former_province")
    # `tinh-cu-VP`: a file of a former province's slice says so in its name too (its id is a safe Id)
    name = spec.name if former is None else f"{spec.name}_tinh-cu-{former.replace(':', '-')}"
    return f"{name}_{stamp}.{fmt}"
