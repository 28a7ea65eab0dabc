"""The labelled calibration questions in bench/data agree with the statutes they cite."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.calibration import DATA, SETS_IN_PARTS, calibration_questions, probe_questions, questions_in_parts
from knowledge_base.chunking import chunk_document
from knowledge_base.loaders import load_document


def _articles(path: Path) -> dict[str, str]:
    """Each article of a statute file with its text, read as the knowledge base reads it (one piece per article)."""
    return {c.article: c.text for c in chunk_document(load_document(path), chunk_size=10**7) if c.article}


def test_calibration_ids_are_unique_and_labels_are_complete() -> None:
    questions = calibration_questions()
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids))
    for q in questions:
        assert q["question"].strip(), q["id"]
        if q["type"] == "unanswerable":
            assert not q["gold"] and not q["keypoints"] and q.get("why"), q["id"]
        else:
            assert q["gold"] and q["keypoints"], q["id"]


def test_gold_articles_exist_and_state_their_keypoints(shared_dir: Path) -> None:
    corpus = shared_dir / "corpus"
    cache: dict[str, dict[str, str]] = {}
    for q in calibration_questions():
        if q["type"] == "unanswerable" or "history" in q:
            continue
        texts = []
        for gold in q["gold"]:
            path = next((p for p in (corpus / "statutes" / gold["file"], corpus / "statutes-superseded" / gold["file"]) if p.exists()), None)
            assert path is not None, f"{q['id']}: no statute file {gold['file']}"
            articles = cache.setdefault(str(path), _articles(path))
            assert gold["article"] in articles, f"{q['id']}: {gold['file']} has no {gold['article']}"
            texts.append(articles[gold["article"]])
        # the newer files copy every keypoint from the article; the first ones at times paraphrase one
        if q["id"].startswith(("ans-c-", "ans-d-")):
            joined = "".join(texts)
            assert all(k in joined for k in q["keypoints"]), f"{q['id']}: keypoints not in the gold article"


def test_probe_questions_are_labelled_from_the_statutes(shared_dir: Path) -> None:
    questions = probe_questions()
    assert len({q["id"] for q in questions}) == len(questions) >= 30
    statutes = shared_dir / "corpus" / "statutes"
    for q in questions:
        if q["type"] == "unanswerable":
            assert not q["gold"] and q.get("why"), q["id"]
            continue
        texts = [_articles(statutes / g["file"])[g["article"]] for g in q["gold"]]
        assert all(k in "".join(texts) for k in q["keypoints"]), f"{q['id']}: keypoints not in the gold article"


def test_manner_follow_ups_are_labelled_from_the_statutes(shared_dir: Path) -> None:
    questions = questions_in_parts("manners")
    assert len({q["id"] for q in questions}) == len(questions) >= 40
    assert {q["part"] for q in questions} == {"design", "check"}
    statutes = shared_dir / "corpus" / "statutes"
    for q in questions:
        assert q["history"] and q["question"].strip(), q["id"]
        if q["type"] == "unanswerable":
            assert not q["gold"] and q.get("why"), q["id"]
            continue
        texts = [_articles(statutes / g["file"])[g["article"]] for g in q["gold"]]
        assert all(k in "".join(texts) for k in q["keypoints"]), f"{q['id']}: keypoints not in the gold article"


def test_the_sets_written_in_parts_are_labelled_from_the_statutes(shared_dir: Path) -> None:
    for name in SETS_IN_PARTS:
        _labelled_in_parts(questions_in_parts(name), shared_dir)


def test_every_set_written_in_parts_is_described_and_no_set_file_is_left_unread() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in SETS_IN_PARTS:
        assert f"| `{name}.jsonl` |" in readme, f"bench/data/README.md has no row for {name}.jsonl"
    for path in DATA.glob("*.jsonl"):
        rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if any('"part": "check"' in row for row in rows) and path.stem not in ("keywords", "parts", "followup_chains"):
            assert path.stem in SETS_IN_PARTS, f"{path.name} has a check part but is not in SETS_IN_PARTS"


def test_a_set_not_written_in_parts_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="not a set written in parts"):
        questions_in_parts("fresh")


def _labelled_in_parts(questions: list[dict], shared_dir: Path) -> None:
    assert len({q["id"] for q in questions}) == len(questions) >= 20
    assert {q["part"] for q in questions} == {"design", "check"}
    corpus = shared_dir / "corpus"
    for q in questions:
        # a row no article answers is typed so: the benchmarks count it as a refusal to get right, not a false one
        assert (q["type"] == "unanswerable") == (not q["gold"]), q["id"]
        if q["type"] == "unanswerable":
            assert not q["gold"] and q.get("why"), q["id"]
            continue
        texts = []
        for g in q["gold"]:
            path = next(p for p in (corpus / "statutes" / g["file"], corpus / "statutes-superseded" / g["file"]) if p.exists())
            texts.append(_articles(path)[g["article"]])
        assert all(k in "".join(texts) for k in q["keypoints"]), f"{q['id']}: keypoints not in the gold article"
