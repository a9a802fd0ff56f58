"""The backup folder's record format and offset translation (ops/archive.py)."""

from __future__ import annotations

from pathlib import Path

from cds_plumbing.ops.archive import StoredRecord, read_records, translate, write_records


def test_records_come_back_byte_for_byte(tmp_path: Path) -> None:
    records = [
        StoredRecord(0, 0, 1_700_000_000_000, b"CB-1", b'{"a": "\xc4\x91"}', (("ce_id", b"1"), ("x", b"\xff\xfe"))),
        StoredRecord(2, 7, 1_700_000_000_001, None, None, ()),  # a tombstone without a key
    ]
    path = tmp_path / "t.jsonl.gz"
    assert write_records(path, records) == 2
    assert list(read_records(path)) == records


def test_offsets_translate_to_their_place_after_a_restore() -> None:
    assert [translate(list(range(5)), o) for o in (0, 3, 5)] == [0, 3, 5], "no gaps: the identity"
    kept = [2, 3, 7, 8]  # offsets 0-1 deleted, 4-6 compacted away
    assert [translate(kept, o) for o in (0, 2, 3, 4, 7, 9)] == [0, 0, 1, 2, 2, 4]
