"""The knowledge base on the real corpus with the real embedding model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.models import DocumentStatus

pytestmark = pytest.mark.integration


def _questions(shared_dir: Path) -> list[dict]:
    lines = (shared_dir / "eval" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_direct_questions_find_their_gold_article(corpus_kb, shared_dir: Path) -> None:
    direct = [q for q in _questions(shared_dir) if q["type"] == "direct"][:10]
    found = 0
    for q in direct:
        hits = corpus_kb.search(q["question"], k=5)
        gold = {(g["file"], g["article"]) for g in q["gold"]}
        found += any((h.source, h.article) in gold for h in hits)
    assert found >= 9, f"only {found}/10 direct questions had a gold article in the top 5"


def test_superseded_version_is_listed_but_never_retrieved(corpus_kb) -> None:
    docs = {d.source: d for d in corpus_kb.list_documents()}
    assert docs["上海市社会救助条例(2018-11-22).md"].status == DocumentStatus.SUPERSEDED
    hits = corpus_kb.search("上海 低收入困难家庭 可以申请哪些救助", k=10)
    assert hits and all(h.source != "上海市社会救助条例(2018-11-22).md" for h in hits)


def test_top_score_is_lower_for_questions_the_corpus_cannot_answer(corpus_kb, shared_dir: Path) -> None:
    qs = _questions(shared_dir)
    answerable = sorted(corpus_kb.search(q["question"], k=1)[0].score for q in qs if q["type"] == "direct")
    unanswerable = sorted(corpus_kb.search(q["question"], k=1)[0].score for q in qs if q["type"] == "unanswerable")
    assert answerable[len(answerable) // 2] > unanswerable[len(unanswerable) // 2]


def test_faq_matches_paraphrases_with_the_real_embedder(corpus_kb) -> None:
    entry = corpus_kb.add_faq("政务大厅几点开门", "工作日上午9:00至下午5:00，周六上午9:00至12:00。")
    try:
        assert corpus_kb.match_faq("请问政务大厅几点开门呀").entry.id == entry.id
        assert corpus_kb.match_faq("护照有效期是几年") is None
    finally:
        corpus_kb.delete_faq(entry.id)


def test_cli_search_json_contract(corpus_kb) -> None:
    env = {**os.environ, "KIOSK_PATHS__DATA_DIR": str(corpus_kb.config.paths.data_dir)}
    kb_dir = str(corpus_kb.directory)
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--kb", kb_dir, "kb", "search", "办居住证要带什么材料", "-k", "3", "--json"],
        capture_output=True, text=True, env=env, timeout=300, check=True,
    )  # fmt: skip
    hits = json.loads(out.stdout)
    assert len(hits) == 3
    assert set(hits[0]) == {"text", "score", "source", "title", "article", "doc_id", "effective_date"}
    assert hits[0]["source"] == "居住证暂行条例(2015-11-26).md" and hits[0]["article"] == "第九条"

    batch = (
        '{"id": "q1", "question": "护照有效期几年"}\n{"id": "q2", "question": "结婚登记带什么证件"}\n'
        '{"id": "q3", "question": "那要多久", "history": "居住证什么时候制作发放"}\n{"id": "q4", "question": "那要多久"}\n'
    )
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--kb", kb_dir, "kb", "search", "--jsonl", "-k", "2"],
        input=batch, capture_output=True, text=True, env=env, timeout=300, check=True,
    )  # fmt: skip
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", "q3", "q4"]
    assert rows[0]["hits"][0]["source"] == "护照法(2006-04-29).md"
    # a follow-up is searched together with the question it refers to, as `kiosk ask` does
    assert any("居住证" in h["title"] for h in rows[2]["hits"]) and rows[2]["hits"] != rows[3]["hits"]


def test_terms_the_2024_shanghai_regulation_renamed_are_found(corpus_kb) -> None:
    renames = {(r.old, r.new): r for r in corpus_kb.renames()}
    assert set(renames) == {("低收入困难家庭", "最低生活保障边缘家庭"), ("支出型贫困家庭", "刚性支出困难家庭")}
    rename = renames[("低收入困难家庭", "最低生活保障边缘家庭")]
    assert rename.title == "上海市社会救助条例" and (rename.old_version, rename.new_version) == ("2018-11-22", "2024-12-31")
    env = {**os.environ, "KIOSK_PATHS__DATA_DIR": str(corpus_kb.config.paths.data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--kb", str(corpus_kb.directory), "kb", "renames", "--json"],
        capture_output=True, text=True, env=env, timeout=300, check=True,
    )  # fmt: skip
    listed = {(r["old"], r["new"]) for r in json.loads(out.stdout)}
    assert listed == set(renames)
