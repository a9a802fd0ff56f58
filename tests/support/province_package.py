"""An example province package, generated: the package format as executable code (README, "Province
packages"). Every name in it is synthetic. `files(prefix)` gives each file's rows under the Vietnamese
headers provincial staff use; `as_zip` and `as_jsonl` turn them into the two accepted forms.

    python -m tests.support.province_package out.zip   # writes an example package to look at
"""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile

Files = dict[str, list[dict[str, str]]]

# Column order per file, as an operator's spreadsheet has them.
HEADERS = {
    "don_vi.csv": ["Mã đơn vị", "Tên đơn vị", "Loại hình", "Cấp", "Mã đơn vị cha", "Hiệu lực từ"],
    "can_bo.csv": [
        "Mã cán bộ",
        "Họ và tên",
        "Năm sinh",
        "Giới tính",
        "Mã đơn vị",
        "Đối tượng",
        "Hình thức",
        "Nhiệm vụ",
        "Ngày bổ nhiệm",
    ],
    "to_cong_nghe.csv": ["Mã tổ", "Mã xã", "Thôn", "Ngày thành lập"],
    "thanh_vien_to.csv": ["Mã tổ", "Mã thành viên", "Họ và tên", "Đoàn thể", "Vai trò", "Ngày tham gia"],
    "doi_ung_cuu.csv": ["Mã đội", "Tên đội", "Phạm vi", "Mã đơn vị", "Ngày thành lập"],
    "thanh_vien_doi.csv": ["Mã đội", "Mã cán bộ", "Vai trò", "Ngày tham gia"],
}
KIND = {
    "don_vi.csv": "units",
    "can_bo.csv": "officers",
    "to_cong_nghe.csv": "teams",
    "thanh_vien_to.csv": "members",
    "doi_ung_cuu.csv": "response_teams",
    "thanh_vien_doi.csv": "response_members",
}


def files(
    prefix: str, communes: int = 3, officers_per_unit: int = 2, parent: str | None = None, district: bool = False
) -> Files:
    """A province `prefix` (or, with `parent`, a unit under an existing one) with one agency, `communes`
    communes (under a district `<prefix>-H` with `district`), officers in each unit, a community team of two
    members per commune and the agency's response team. Row counts: units 2 + communes (+ 1 district);
    officers that many units × officers_per_unit."""
    root, agency = f"{prefix}", f"{prefix}-SO"
    communes_ids = [f"{prefix}-X{i + 1}" for i in range(communes)]
    above_communes = f"{prefix}-H" if district else root
    out: Files = {name: [] for name in HEADERS}
    units = out["don_vi.csv"]
    units.append(
        _row("don_vi.csv", root, f"Tỉnh {prefix} (tổng hợp)", "Ủy ban nhân dân", "Tỉnh", parent or "", "01/01/2020")
    )
    units.append(_row("don_vi.csv", agency, f"Sở KH&CN {prefix}", "Sở, ngành", "Cấp tỉnh", root, "01/01/2020"))
    if district:
        units.append(_row("don_vi.csv", above_communes, f"Huyện {prefix}", "UBND", "Huyện", root, "01/01/2020"))
    for c in communes_ids:
        units.append(_row("don_vi.csv", c, f"Xã {c}", "UBND", "Xã", above_communes, "01/01/2020"))
    for unit in [row["Mã đơn vị"] for row in units]:
        for i in range(officers_per_unit):
            out["can_bo.csv"].append(
                _row(
                    "can_bo.csv",
                    f"{unit}-CB{i + 1}",
                    f"Cán bộ {unit} {i + 1}",
                    str(1970 + i),
                    "Nữ" if i % 2 else "Nam",
                    unit,
                    "Công chức",
                    "Chuyên trách" if i == 0 else "Kiêm nhiệm",
                    "Kỹ thuật CNTT; An toàn thông tin" if i == 0 else "Mạng lưới CĐS",
                    "15/01/2024",
                )
            )
    for c in communes_ids:
        team = f"{c}-TO"
        out["to_cong_nghe.csv"].append(_row("to_cong_nghe.csv", team, c, "Thôn 1", "01/03/2024"))
        for i, role in enumerate(("Tổ trưởng", "Thành viên")):
            out["thanh_vien_to.csv"].append(
                _row(
                    "thanh_vien_to.csv",
                    team,
                    f"{team}-TV{i + 1}",
                    f"Thành viên {c} {i}",
                    "Đoàn thanh niên",
                    role,
                    "02/03/2024",
                )
            )
    team = f"{agency}-DUC"
    out["doi_ung_cuu.csv"].append(
        _row("doi_ung_cuu.csv", team, f"Đội ứng cứu {agency}", "Đơn vị", agency, "01/02/2024")
    )
    out["thanh_vien_doi.csv"].append(_row("thanh_vien_doi.csv", team, f"{agency}-CB1", "Đội trưởng", "01/02/2024"))
    return out


def _row(file: str, *values: str) -> dict[str, str]:
    return dict(zip(HEADERS[file], values, strict=True))


def csv_text(rows: list[dict[str, str]], header: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def as_zip(package: Files) -> bytes:
    """The zip form: one CSV per file that has rows (UTF-8 with a BOM, as Excel's "CSV UTF-8" saves it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in package.items():
            if rows:
                header = HEADERS.get(name) or list(rows[0])
                archive.writestr(name, "\ufeff" + csv_text(rows, header))
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    """A zip of these entries as they are (for packages that are wrong on purpose)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def as_jsonl(package: Files) -> bytes:
    """The JSON Lines form: one object per row, with its `kind` (file stems such as don_vi work too)."""
    lines = [
        json.dumps({"kind": KIND[name], **row}, ensure_ascii=False) for name, rows in package.items() for row in rows
    ]
    return ("\n".join(lines) + "\n").encode()


def counts(package: Files) -> dict[str, int]:
    return {KIND[name]: len(rows) for name, rows in package.items() if rows}


if __name__ == "__main__":
    with open(sys.argv[1] if len(sys.argv) > 1 else "package.zip", "wb") as out:
        out.write(as_zip(files("VD")))
