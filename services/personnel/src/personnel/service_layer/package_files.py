"""Reading a province package: a zip of CSV files, one per kind under a fixed name, or one JSON Lines file
whose every line names its `kind`. Only the package's shape is checked here (its files, their size and
encoding); the rows are validated by packages.py.

A zip is read defensively, since its headers may lie: the entry count and the declared sizes are bounded
before anything is inflated, and each entry is inflated in chunks that stop at the bound (a zip bomb
declares small sizes and inflates to gigabytes).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from personnel.domain.errors import DomainError

from .import_checks import RowError
from .imports import ImportRejectedError, parse

# kind → file name in a zip (Vietnamese, without diacritics); `<kind>.csv` is accepted too. The order is
# the order rows are checked and written: each kind rests only on kinds before it.
FILES: dict[str, str] = {
    "units": "don_vi.csv",
    "officers": "can_bo.csv",
    "teams": "to_cong_nghe.csv",
    "members": "thanh_vien_to.csv",
    "response_teams": "doi_ung_cuu.csv",
    "response_members": "thanh_vien_doi.csv",
}
_KIND_OF_FILE = {name: kind for kind, name in FILES.items()} | {f"{kind}.csv": kind for kind in FILES}
# In JSON Lines, `kind` is the kind or its file's stem (`"kind": "don_vi"`).
_KIND_OF_LINE = {kind: kind for kind in FILES} | {name.removesuffix(".csv"): kind for kind, name in FILES.items()}
_CHUNK = 64 * 1024
_CENTRAL_ENTRY = b"PK\x01\x02"  # signature of a central-directory entry (APPNOTE 4.3.12)

Rows = list[tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class Limits:
    max_entries: int = 16  # files in a zip (six kinds, plus room for folders a packer adds)
    max_uncompressed_bytes: int = 256 * 1024 * 1024
    max_rows: int = 200_000


class PackageRejectedError(DomainError):
    """The package cannot be taken: its shape (status 413/415/422) or its rows (422, every error listed)."""

    def __init__(self, errors: list[RowError], rows: int = 0, status: int = 422) -> None:
        first = errors[0].message if len(errors) == 1 else f"{len(errors)} error(s) in {rows} row(s)"
        super().__init__(f"{first}; nothing was imported")
        self.errors = errors
        self.rows = rows
        self.status = status


def _reject(message: str, file: str | None = None, status: int = 422) -> PackageRejectedError:
    return PackageRejectedError([RowError(0, None, message, file)], status=status)


def read_package(data: bytes, file_name: str, limits: Limits) -> dict[str, tuple[str, Rows]]:
    """kind → (file the rows came from, (row number, raw record) pairs), kinds in FILES order."""
    if not data:
        raise _reject("the package is empty")
    is_zip = data[:2] == b"PK"  # every zip starts so; a JSON line never does
    found = _read_zip(data, limits) if is_zip else _read_jsonl(_decode(data, file_name), file_name)
    total = sum(len(rows) for _, rows in found.values())
    if total == 0:
        raise _reject("the package has no data rows")
    if total > limits.max_rows:
        raise _reject(f"at most {limits.max_rows} rows per package ({total} sent)", status=413)
    return {kind: found[kind] for kind in FILES if kind in found}


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise _reject(
            f"{file} is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8' or UTF-8 text", file
        ) from exc


def _parse(text: str, fmt: Any, file: str) -> Rows:
    try:
        return parse(text, fmt)
    except ImportRejectedError as exc:
        raise PackageRejectedError([RowError(e.row, e.field, e.message, file) for e in exc.errors]) from exc


def _read_zip(data: bytes, limits: Limits) -> dict[str, tuple[str, Rows]]:
    # zipfile builds an object per central-directory entry before we can count them (800,000 empty entries
    # fit in 64 MiB: a minute of CPU and half a GiB), and the end record's count may lie. Every entry starts
    # with this signature, so counting it in the raw bytes bounds the entries before zipfile reads any.
    if (signatures := data.count(_CENTRAL_ENTRY)) > limits.max_entries:
        raise _reject(f"the zip holds {signatures} entries; at most {limits.max_entries}", status=413)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise _reject(f"not a readable zip file: {exc}") from exc
    if len(entries) > limits.max_entries:
        raise _reject(f"the zip holds {len(entries)} entries; at most {limits.max_entries}", status=413)
    # Folders, and the metadata macOS adds to zips it makes, carry no data.
    files = [e for e in entries if not e.is_dir() and not e.filename.startswith("__MACOSX/")]
    declared = sum(e.file_size for e in files)
    if declared > limits.max_uncompressed_bytes:
        raise _reject(f"the files unpack to {declared} bytes; at most {limits.max_uncompressed_bytes}", status=413)
    known = ", ".join(FILES.values())
    found: dict[str, tuple[str, Rows]] = {}
    budget = limits.max_uncompressed_bytes
    for entry in files:
        name = entry.filename.rsplit("/", 1)[-1]
        kind = _KIND_OF_FILE.get(name.lower())
        if kind is None:
            raise _reject(f"unknown file {name!r} in the package; the files are {known}", name)
        if kind in found:
            raise _reject(f"two files for {kind}: {found[kind][0]} and {name}", name)
        raw = _inflate(archive, entry, budget, name)
        budget -= len(raw)
        found[kind] = (name, _parse(_decode(raw, name), "csv", name))
    return found


def _inflate(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: int, name: str) -> bytes:
    """The entry's bytes, stopping as soon as they pass `budget` whatever its header declared."""
    if entry.flag_bits & 0x1:
        raise _reject(f"{name} is encrypted; send the package without a password", name)
    out = bytearray()
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                out += chunk
                if len(out) > budget:
                    raise _reject(f"{name} unpacks to more than the {budget} bytes left of the limit", name, 413)
    except PackageRejectedError:
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, zlib.error, EOFError, ValueError) as exc:
        raise _reject(f"{name} cannot be unpacked: {exc}", name) from exc
    return bytes(out)


def _read_jsonl(text: str, file: str) -> dict[str, tuple[str, Rows]]:
    found: dict[str, tuple[str, Rows]] = {}
    errors: list[RowError] = []
    for line, record in _parse(text, "jsonl", file):
        given = record.pop("kind", None)
        kind = _KIND_OF_LINE.get(given) if isinstance(given, str) else None
        if kind is None:
            errors.append(RowError(line, "kind", f"kind must be one of {', '.join(FILES)} (got {given!r})", file))
            continue
        found.setdefault(kind, (file, []))[1].append((line, record))
    if errors:
        raise PackageRejectedError(errors, sum(len(r) for _, r in found.values()) + len(errors))
    return found
