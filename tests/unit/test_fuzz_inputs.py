"""Hostile and careless input: every bad file or recording gets a clear error, and the rest of its batch goes in.

The corpus (tests/fuzz_corpus.py) is generated at run time at a small scale with lowered limits; bench/bench_fuzz.py
runs the full-size cases with the default limits and records peak memory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import SpeechToTextError
from core.models import IngestStatus
from knowledge_base import open_knowledge_base
from knowledge_base.archives import UnpackLimits, unpack_uploads
from speech.audio import load_audio
from tests.conftest import make_config
from tests.fakes import HashEmbedder
from tests.fuzz_corpus import CASES, MB

UNIT_KB_LIMITS = {"max_passages_per_document": 100, "max_office_xml_mb": 5.0, "max_decompressed_mb": 2.0}


def _cases(kind: str) -> list:
    return [c for c in CASES if c.kind == kind]


def _kb(tmp_path: Path):
    return open_knowledge_base(make_config(tmp_path, kb=UNIT_KB_LIMITS), embedder=HashEmbedder())


def test_every_bad_document_is_refused_clearly_and_the_batch_goes_on(tmp_path: Path) -> None:
    cases = _cases("document")
    paths = [c.make(tmp_path / "in", "unit") for c in cases]
    results = _kb(tmp_path).ingest(paths)
    assert len(results) == len(cases)
    for case, result in zip(cases, results):
        outcome = "ok" if result.status == IngestStatus.ADDED else result.error_code
        assert outcome in case.expect, (case.name, result)
        assert not any(ch in result.message for ch in "\x00\x07\x1b"), result.message  # names are escaped
        if outcome != "ok":
            assert result.message.strip(), case.name


def test_a_docx_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = next(c for c in CASES if c.name == "docx-bomb.docx").make(tmp_path, "unit")
    assert bomb.stat().st_size < MB  # 40 MB of XML in well under 1 MB
    [result] = _kb(tmp_path).ingest([bomb])
    assert result.error_code == "docx-too-large" and "kb.max_office_xml_mb" in result.message


def test_zip_uploads_write_nothing_rejected_and_keep_the_rest(tmp_path: Path) -> None:
    cases = _cases("zip")
    uploads = [c.make(tmp_path / "in", "unit") for c in cases]
    limits = UnpackLimits(max_total_bytes=2 * MB, max_member_bytes=50 * MB, max_members=500, max_xml_bytes=5 * MB)
    upload_dir = tmp_path / "uploads"
    unpacked = unpack_uploads(uploads, upload_dir, limits)
    codes = {f.error_code for f in unpacked.failures}
    for case in cases:
        assert case.expect <= codes | {"ok"}, (case.name, unpacked.failures)
    on_disk = [p for p in upload_dir.rglob("*") if p.is_file()]
    assert sorted(on_disk) == sorted(unpacked.paths)  # rejected members and rejected archives left nothing
    assert all(p.suffix == ".md" for p in on_disk)
    assert not (tmp_path / "evil.md").exists() and not (tmp_path / "in" / "evil.md").exists()
    assert sum(p.stat().st_size for p in on_disk) < 100_000
    assert not any(p.name.startswith("part") for p in on_disk)  # the total-bomb archive was removed whole
    names = sorted(p.relative_to(p.parents[1]).as_posix() for p in on_disk if p.name == "规定.md")
    assert names == ["dupA/规定.md", "dupB/规定.md"]


def test_same_file_name_in_two_folders_keeps_both_documents(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    a = tmp_path / "batch" / "dupA" / "规定.md"
    b = tmp_path / "batch" / "dupB" / "规定.md"
    for path, place in ((a, "甲地"), (b, "乙地")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {place}规定\n\n第一条 {place}居民可以申请补贴。\n\n第二条 申请应当向{place}街道提出。\n", encoding="utf-8")
    results = kb.ingest([tmp_path / "batch"])
    assert [r.status for r in results] == [IngestStatus.ADDED, IngestStatus.ADDED]
    assert sorted(d.source for d in kb.list_documents()) == ["dupA/规定.md", "dupB/规定.md"]
    b.write_text(b.read_text(encoding="utf-8").replace("补贴", "救助"), encoding="utf-8")
    [again] = kb.ingest([b])  # given alone later, it still replaces its own document, not a new 规定.md
    assert again.status == IngestStatus.REPLACED and len(kb.list_documents()) == 2


def test_two_uploads_with_one_name_are_not_silently_replaced(tmp_path: Path) -> None:
    first, second = tmp_path / "u1" / "规定.md", tmp_path / "u2" / "规定.md"
    for path in (first, second):
        path.parent.mkdir(parents=True)
        path.write_text(f"# {path.parent.name}\n\n第一条 内容。\n", encoding="utf-8")
    unpacked = unpack_uploads([first, second], tmp_path / "uploads")
    assert len(unpacked.paths) == 1 and unpacked.failures[0].error_code == "duplicate-name"


def test_passage_limit_names_the_file_and_the_key(tmp_path: Path) -> None:
    kb = open_knowledge_base(make_config(tmp_path, kb={"max_passages_per_document": 3}), embedder=HashEmbedder())
    path = tmp_path / "长规定.md"
    path.write_text("# 长规定\n\n" + "\n\n".join(f"第{n}条 " + "申请材料" * 40 for n in range(1, 9)), encoding="utf-8")
    [result] = kb.ingest([path])
    assert result.error_code == "too-many-passages"
    assert "长规定.md" in result.message and "kb.max_passages_per_document" in result.message


@pytest.mark.parametrize("case", _cases("audio"), ids=lambda c: c.name)
def test_bad_audio_is_refused_clearly(tmp_path: Path, case) -> None:
    path = case.make(tmp_path, "unit")
    try:
        samples = load_audio(path, max_seconds=30.0)
        outcome = "ok"
        assert 0 < samples.size <= 30 * 16000
    except SpeechToTextError as exc:
        outcome = exc.code
        assert exc.message
    assert outcome in case.expect


def test_an_unsupported_upload_is_not_copied(tmp_path: Path) -> None:
    exe = tmp_path / "in" / "setup.exe"
    exe.parent.mkdir()
    exe.write_bytes(b"MZ" + b"\0" * 1000)
    unpacked = unpack_uploads([exe], tmp_path / "uploads")
    assert unpacked.paths == [] and unpacked.failures[0].error_code == "unsupported-type"
    assert not any((tmp_path / "uploads").iterdir())


def test_the_cli_never_echoes_control_characters_of_a_file_name(tmp_path: Path, capsys, monkeypatch) -> None:
    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_PATHS__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KIOSK_EMBEDDING__CACHE", "false")
    evil = tmp_path / "in" / "a\x1b]0;owned\x07\x1b[2Jb.md"
    evil.parent.mkdir()
    evil.write_bytes(b"\0" * 64)
    code = main(["--kb", str(tmp_path / "kb"), "kb", "ingest", str(evil)])
    out = capsys.readouterr()
    assert code == 1
    assert "not-text" in out.out and "\\x1b]0;owned\\x07" in out.out
    assert not any(ch in out.out + out.err for ch in "\x1b\x07\x00")
