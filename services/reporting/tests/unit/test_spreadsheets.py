"""Rendering a view's body as CSV and XLSX: headers in both languages, labels, BOM, typed cells, the tree."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from reporting.adapters.spreadsheets import filename, render
from reporting.domain.tables import TableSpec, columns, problems
from reporting.service_layer.export_tables import SPECS

COVERAGE: dict[str, Any] = {
    "as_of": "2024-12-31",
    "current_to": "2025-08-01T08:00:00+00:00",
    "slice": {"unit_id": "P", "sectors": ["party_agency"], "levels": []},
    "agencies": [
        {
            "unit_id": "TU",
            "name_vi": 'Tỉnh uỷ, "Ban" Tuyên giáo',
            "kind": "party_agency",
            "level": "province",
            "has_it_leader": False,
            "it_technical": 2,
            "compliant": False,
            "missing": ["it_leader"],
        },
        {
            "unit_id": "X",
            "name_vi": "Xã Đạo Tú",
            "kind": "peoples_committee",
            "level": "commune",
            "has_it_leader": True,
            "it_technical": 1,
            "compliant": True,
            "missing": [],
        },
    ],
}


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_csv_has_a_bom_vietnamese_headers_and_labels_and_quotes_per_rfc_4180() -> None:
    data = render(SPECS["coverage"], COVERAGE, "csv")
    assert b"\r\n" in data and b'"T\xe1\xbb\x89nh u\xe1\xbb\xb7, ""Ban"" Tuy\xc3\xaan gi\xc3\xa1o"' in data
    header, first, second = _csv(data)
    assert header[:4] == ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp"]
    assert first == [
        "TU",
        'Tỉnh uỷ, "Ban" Tuyên giáo',
        "Cơ quan Đảng",
        "Cấp tỉnh",
        "Không",
        "2",
        "Không",
        "Thiếu lãnh đạo phụ trách CNTT",
    ]
    assert second[2:5] == ["UBND", "Cấp xã", "Có"] and second[-1] == ""


def test_english_headers_and_labels_on_request() -> None:
    header, first, _ = _csv(render(SPECS["coverage"], COVERAGE, "csv", "en"))
    assert header == [
        "Unit code",
        "Unit name",
        "Unit kind",
        "Level",
        "Has an IT leader",
        "IT technical officers",
        "Compliant",
        "Missing",
    ]
    assert first[2:5] == ["Party agency", "Province", "No"] and first[-1] == "No IT leader"


def test_xlsx_types_numbers_and_dates_freezes_a_bold_header_and_says_what_it_covers() -> None:
    body = {
        "as_of": "2024-12-01",
        "current_to": None,
        "within_days": 90,
        "certificates": [
            {
                "certificate_id": "C1",
                "officer_id": "o2",
                "unit_id": "P",
                "name": "ATTT",
                "issued_on": "2024-05-05",
                "expires_on": "2025-02-01",
                "source": "training",
                "days_left": 62,
            }
        ],
    }
    book = load_workbook(io.BytesIO(render(SPECS["certificates-expiring"], body, "xlsx")))
    data, info = book.worksheets
    assert (data.title, info.title) == ("Dữ liệu", "Thông tin")
    assert data.freeze_panes == "A2" and data["A1"].font.b
    assert data["A1"].value == "Mã chứng chỉ" and data["G1"].value == "Nguồn"
    row = [c.value for c in data[2]]
    assert row == [
        "C1",
        "o2",
        "P",
        "ATTT",
        dt.datetime(2024, 5, 5),
        dt.datetime(2025, 2, 1),
        "Đào tạo",
        62,
    ]
    assert data["E2"].is_date and data["E2"].number_format == "DD/MM/YYYY" and data["H2"].data_type == "n"
    about = {r[0].value: r[1].value for r in info.iter_rows()}
    assert about == {
        "Báo cáo": "Chứng chỉ sắp hết hạn",
        "Số liệu tính đến ngày": "2024-12-01",
        "Trong số ngày tới": "90",
    }
    assert filename(SPECS["certificates-expiring"], body, "xlsx") == "certificates-expiring_2024-12-01.xlsx"


def test_slice_and_english_sheet_names_in_the_about_sheet() -> None:
    book = load_workbook(io.BytesIO(render(SPECS["coverage"], COVERAGE, "xlsx", "en")))
    data, info = book.worksheets
    assert (data.title, info.title) == ("Data", "About")
    about = {r[0].value: r[1].value for r in info.iter_rows()}
    assert about["Unit"] == "P" and about["Sectors"] == "Party agencies" and "Levels" not in about
    assert about["Data current to"] == "2025-08-01T08:00:00+00:00"


def test_mappings_and_the_unit_tree_become_rows() -> None:
    teams = {"members_by_affiliation": {"police": 1, "youth_union": 2}}
    assert _csv(render(SPECS["community-members"], teams, "csv"))[1:] == [["Công an", "1"], ["Đoàn Thanh niên", "2"]]
    node: dict[str, Any] = {
        "name_vi": "n",
        "name_en": None,
        "kind": "peoples_committee",
        "level": "commune",
        "children": [],
    }
    tree = {"units": [{**node, "unit_id": "P", "level": "province", "children": [{**node, "unit_id": "C"}]}]}
    rows = _csv(render(SPECS["units"], tree, "csv", "en"))
    assert [(r[0], r[-1]) for r in rows] == [("Unit code", "Parent unit"), ("P", ""), ("C", "P")]
    months = {"months": [{"month": "2024-03", "departures": 2, "by_reason": {"retirement": 2}, "hires": 0}]}
    assert _csv(render(SPECS["attrition-months"], months, "csv"))[1] == ["2024-03", "2", "0", "0", "2", "0", "0", "0"]


def test_problems_name_a_missing_row_path_or_column() -> None:
    spec = TableSpec("t", "t", "t", "x", ("rows",), columns("a:int | A | A\nb.c | B | B\nd:int=0 | D | D"))
    assert problems(spec, {"rows": [{"a": 1, "b": {"c": None}}]}) == []
    assert problems(spec, {"rows": [{"a": 1, "b": {}}]}) == ["t: column b.c is missing in a row"]
    assert problems(spec, {"other": []}) == ["t: none of ['rows'] in the body of view x"]
    with pytest.raises(ValueError, match="unknown column type"):
        columns("a:float | A | A")


def test_text_that_looks_like_a_formula_stays_text() -> None:
    hostile = {**COVERAGE, "agencies": [{**COVERAGE["agencies"][0], "name_vi": '=HYPERLINK("http://x","Bấm")'}]}
    spec = SPECS["coverage"]
    rows = list(csv.reader(io.StringIO(render(spec, hostile, "csv").decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://x","Bấm")'
    sheet = load_workbook(io.BytesIO(render(spec, hostile, "xlsx"))).worksheets[0]
    cell = sheet.cell(row=2, column=2)
    assert cell.value == '=HYPERLINK("http://x","Bấm")' and cell.data_type == "s"


def test_a_former_province_slice_is_named_in_the_file_and_the_about_sheet() -> None:
    body = {**COVERAGE, "slice": {**COVERAGE["slice"], "former_province": "VP"}}
    about = {
        r[0].value: r[1].value
        for r in load_workbook(io.BytesIO(render(SPECS["coverage"], body, "xlsx"))).worksheets[1].iter_rows()
    }
    assert about["Tỉnh cũ"] == "VP"
    assert filename(SPECS["coverage"], body, "csv") == "coverage_tinh-cu-VP_2024-12-31.csv"
    assert filename(SPECS["coverage"], COVERAGE, "csv") == "coverage_2024-12-31.csv"
