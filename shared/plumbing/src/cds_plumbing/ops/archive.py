"""The backup folder of `cds-platform backup` / `restore`:

    manifest.json                 what is in it: databases, topics (partitions, offsets, counts), groups
    databases/<service>.dump      pg_dump --format=custom of each service database
    topics/<topic>.jsonl.gz       every record of the topic: one JSON object per line, partition by
                                  partition in offset order: {"p", "o", "t" (ms), "k", "v", "h"}; key,
                                  value and header values base64 (bytes as they were), null stays null
    groups.json                   committed offsets of the consumer groups on those topics

Everything is plain files, so the folder can be copied, checksummed (the manifest has SHA-256 of each
file) and inspected with zcat and jq.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message says why (nothing was changed by a refused restore)."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _unb64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


@dataclass(frozen=True)
class StoredRecord:
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "p": self.partition,
                "o": self.offset,
                "t": self.timestamp_ms,
                "k": _b64(self.key),
                "v": _b64(self.value),
                "h": [[k, _b64(v)] for k, v in self.headers],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, line: str) -> StoredRecord:
        d = json.loads(line)
        headers = tuple((k, _unb64(v) or b"") for k, v in d["h"])
        return cls(d["p"], d["o"], d["t"], _unb64(d["k"]), _unb64(d["v"]), headers)


def write_records(path: Path, records: Iterable[StoredRecord]) -> int:
    n = 0
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for r in records:
            f.write(r.to_json() + "\n")
            n += 1
    return n


def read_records(path: Path) -> Iterator[StoredRecord]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield StoredRecord.from_json(line)


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} is not a backup: {MANIFEST} is missing")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder}: backup format {manifest.get('format')!r}, this version reads {FORMAT}")
    return manifest


def verify_files(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """Files missing or changed since the backup was written (by their SHA-256 in the manifest)."""
    problems = []
    for entry in [*manifest["databases"], *manifest["topics"]]:
        path = folder / entry["file"]
        if not path.exists():
            problems.append(f"{entry['file']}: missing")
        elif sha256(path) != entry["sha256"]:
            problems.append(f"{entry['file']}: checksum differs from the manifest")
    return problems


def translate(offsets: list[int], original: int) -> int:
    """Where original offset `original` (a next offset to read) lands after a restore that re-produced
    the records whose original offsets are `offsets` (sorted) onto an empty partition: the number of
    records before it. The identity when the original partition started at 0 without gaps."""
    lo, hi = 0, len(offsets)
    while lo < hi:
        mid = (lo + hi) // 2
        if offsets[mid] < original:
            lo = mid + 1
        else:
            hi = mid
    return lo
