"""Reading a province package's shape: file names in either language, JSON Lines kinds, and zips that lie."""

from __future__ import annotations

import json
import struct
import zipfile
from typing import Any

import pytest

from personnel.service_layer.imports import validate_rows
from personnel.service_layer.package_files import Limits, PackageRejectedError, read_package
from tests.support import province_package as pp


def test_files_are_found_by_their_vietnamese_or_english_name_in_any_folder() -> None:
    data = pp.zip_of({"tinh/don_vi.csv": "Mã đơn vị\nA\nB\n".encode(), "Officers.CSV": b"x\n1\n", "tinh/": b""})
    found = read_package(data, "p.zip", Limits())
    assert list(found) == ["units", "officers"]  # in the order rows are checked and written
    assert found["units"] == ("don_vi.csv", [(2, {"Mã đơn vị": "A"}), (3, {"Mã đơn vị": "B"})])


def test_json_lines_name_their_kind_by_kind_or_file_stem() -> None:
    package = pp.files("J", communes=1)
    found = read_package(pp.as_jsonl(package), "p.jsonl", Limits())
    assert {k: len(rows) for k, (_, rows) in found.items()} == pp.counts(package)
    stems = b'{"kind": "don_vi", "unit_id": "A"}\n\n{"kind": "thanh_vien_doi", "team_id": "T"}\n'
    found = read_package(stems, "p.jsonl", Limits())
    assert found == {
        "units": ("p.jsonl", [(1, {"unit_id": "A"})]),
        "response_members": ("p.jsonl", [(3, {"team_id": "T"})]),
    }


def test_a_zip_whose_header_understates_an_entry_is_refused_not_inflated() -> None:
    """The central directory says 10 bytes, the entry inflates to a megabyte: refused with a 4xx reason."""
    data = bytearray(pp.zip_of({"don_vi.csv": b"x\n" * 500_000}))
    central = data.rfind(b"PK\x01\x02")
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, central + 24, 10)  # uncompressed size in the central directory
    struct.pack_into("<I", data, local + 22, 10)  # and in the local header
    with pytest.raises(PackageRejectedError) as refused:
        read_package(bytes(data), "p.zip", Limits(max_uncompressed_bytes=100_000))
    assert refused.value.status in (413, 422) and "don_vi.csv" in str(refused.value)


def test_a_zip_of_many_entries_is_refused_before_its_directory_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """zipfile builds an object per entry before they can be counted (800,000 empty entries fit in 64 MiB:
    a minute of CPU), and the end record's count may lie: the entries are bounded from the raw bytes."""
    data = bytearray(pp.zip_of({f"{i}.csv": b"" for i in range(2_000)}))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 1, 1)  # the end record claims a single entry
    opened: list[Any] = []
    real = zipfile.ZipFile

    def spy(*args: Any, **kwargs: Any) -> zipfile.ZipFile:
        opened.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(zipfile, "ZipFile", spy)
    with pytest.raises(PackageRejectedError, match="holds 2000 entries; at most 16") as refused:
        read_package(bytes(data), "p.zip", Limits())
    assert refused.value.status == 413
    assert opened == []  # refused from the raw bytes, before zipfile parsed 2,000 directory entries


def test_the_row_limit_counts_every_file() -> None:
    data = pp.zip_of({"don_vi.csv": b"x\n" + b"1\n" * 6, "can_bo.csv": b"x\n" + b"1\n" * 6})
    with pytest.raises(PackageRejectedError, match="at most 10 rows per package") as refused:
        read_package(data, "p.zip", Limits(max_rows=10))
    assert refused.value.status == 413


def test_in_json_lines_a_units_own_kind_goes_under_unit_kind() -> None:
    row = {
        "kind": "units",
        "unit_id": "A",
        "name_vi": "A",
        "unit_kind": "UBND",
        "level": "xã",
        "valid_from": "1/7/2025",
    }
    ((_, rows),) = read_package(json.dumps(row).encode(), "p.jsonl", Limits()).values()
    ((_, unit),) = validate_rows("units", rows)[0]
    assert (unit.kind, unit.level, unit.valid_from.isoformat()) == ("peoples_committee", "commune", "2025-07-01")
