"""The calibration questions in bench/data and their fixed split into a fit half and a held-out half.

Models and thresholds are fitted on the `fit` half only; figures are reported on the `heldout` half and on the dev
set in ../shared/eval. The split is by a hash of each question's id, so adding questions never moves old ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np

from core.config import KioskConfig, load_config
from knowledge_base import KnowledgeBase, open_knowledge_base
from knowledge_base.profiles import Profile, load_profile, profile_name, profile_path
from knowledge_base.search_queries import followup_query

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "bench" / "data"
SHARED = REPO.parent / "shared"
CORPUS = [SHARED / "corpus" / "statutes", SHARED / "corpus" / "statutes-superseded"]
FILES = (
    "answerable_a.jsonl", "answerable_b.jsonl", "unanswerable.jsonl",
    "answerable_c.jsonl", "answerable_d.jsonl", "unanswerable_c.jsonl",
)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def split_of(question_id: str) -> str:
    return "fit" if hashlib.sha1(question_id.encode()).digest()[0] % 2 == 0 else "heldout"


def calibration_questions(split: str | None = None) -> list[dict]:
    """bench/data questions, all or one split ('fit' / 'heldout')."""
    questions = [q for name in FILES if (DATA / name).exists() for q in read_jsonl(DATA / name)]
    return [q for q in questions if split is None or split_of(q["id"]) == split]


def fresh_questions() -> list[dict]:
    """bench/data/fresh.jsonl: questions written after the models and rules were fitted, for reporting only."""
    return read_jsonl(DATA / "fresh.jsonl")


def how_to_questions() -> list[dict]:
    """bench/data/how_to.jsonl: bare "<thing>怎么办" questions, written after the application query, for reporting."""
    return read_jsonl(DATA / "how_to.jsonl")


def followup_chains(part: str) -> list[dict]:
    """bench/data/followup_chains.jsonl: a short question, then a shorter follow-up (低保怎么申请 → 要多久). Part
    "design" was read while writing the follow-up search; part "check" was written after it, for reporting only."""
    return [q for q in read_jsonl(DATA / "followup_chains.jsonl") if q["part"] == part]


def followup_turns() -> list[dict]:
    """bench/data/followup_turns.jsonl: a follow-up of a follow-up (身份证丢了怎么补 → 那要多久能拿到 → 收费吗), and a
    short question on another topic after one (身份证丢了怎么补 → 退休年龄); history lists the earlier questions."""
    return read_jsonl(DATA / "followup_turns.jsonl")


def conversations() -> list[dict]:
    """bench/data/conversations.jsonl: ten three-question conversations, each question with the earlier ones as its
    history; written before the kiosk answered them, for reporting only."""
    return read_jsonl(DATA / "conversations.jsonl")


def certificates() -> list[dict]:
    """bench/data/certificates.jsonl: a lost or wrong certificate, card or licence (户口本丢了怎么补, 营业执照丢了怎么补),
    labelled from the corpus; written with the rule that a certificate law does not answer for another certificate
    (`answering.answerability.other_certificate`) and before the kiosk answered them, so a design set."""
    return read_jsonl(DATA / "certificates.jsonl")


def typed_questions() -> list[dict]:
    """bench/data/typed.jsonl: questions typed at the screen as a citizen would, labelled from the corpus after the
    kiosk answered them (several of its rules were written from them), so a design set."""
    return read_jsonl(DATA / "typed.jsonl")


def keyword_questions(part: str) -> list[dict]:
    """bench/data/keywords.jsonl: a service's name alone or with one more word, typed at the screen as a search term
    or said with hesitations (低保, 居住证 材料, 嗯 那个 护照 多久能办好, 驾驶证). Part "design" was labelled after the
    kiosk answered several of them; part "check" was written and labelled before the kiosk answered it."""
    return [q for q in read_jsonl(DATA / "keywords.jsonl") if q["part"] == part]


def part_questions(part: str) -> list[dict]:
    """bench/data/parts.jsonl: one utterance asking two things (办居住证要带什么材料 以后每年还得签注吗), gold = the
    article of each part the knowledge base answers; a part it does not answer (大厅周六上班吗, 驾驶证) has none. Both
    halves were written and labelled before the kiosk answered them; "design" is read when choosing a rule, "check"
    only reported."""
    return [q for q in read_jsonl(DATA / "parts.jsonl") if q["part"] == part]


def probe_questions() -> list[dict]:
    """bench/data/probes.jsonl: questions a citizen asks at the hall, written to look at the kiosk as a user does
    (失业金会打到我的银行卡上吗, 不动产权证书丢了怎么补办, 残疾人可以考驾照吗) and labelled from the corpus after the kiosk
    answered them; several rules were written from them, so a design set."""
    return read_jsonl(DATA / "probes.jsonl")


def dev_questions() -> list[dict]:
    return read_jsonl(SHARED / "eval" / "dev_questions.jsonl")


SETS_IN_PARTS = (
    "manners", "definitions", "obligations", "waits", "penalties", "legality", "frequency", "acts",
    "conditions", "departments", "situations", "appeals", "stops", "fees", "transfers", "periods",
    "amounts", "channels", "applying", "privileges", "bereavement", "records", "work", "business",
    "family", "migrants", "medical", "online", "housing", "disability", "veterans", "abroad",
    "elderly", "assistance", "jobless", "schooling", "tax", "marriage", "hukou", "market",
)
"""The sets under bench/data written in two parts: `design`, read while building, and `check`, written and labelled
from the statutes before the kiosk answered it and reported only. bench/data/README.md says what each holds."""


def questions_in_parts(name: str, part: str | None = None) -> list[dict]:
    """bench/data/<name>.jsonl's rows, all or one part ('design' / 'check'), for a name in SETS_IN_PARTS."""
    if name not in SETS_IN_PARTS:
        raise ValueError(f"{name} is not a set written in parts: {', '.join(SETS_IN_PARTS)}")
    return [q for q in read_jsonl(DATA / f"{name}.jsonl") if part is None or q["part"] == part]


def answerable(q: dict) -> bool:
    return q["type"] != "unanswerable"


def query_of(q: dict) -> str:
    """Follow-ups are searched together with the previous question, as the answering stage does."""
    return followup_query(q["history"], q["question"]) if q.get("history") else q["question"]


def gold_pairs(q: dict) -> set[tuple[str, str]]:
    return {(g["file"], g["article"]) for g in q.get("gold", [])}


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> np.ndarray:
    """Weights of an L2-regularised logistic regression by Newton's method (x carries its own bias column)."""
    w = np.zeros(x.shape[1])
    reg = l2 * np.eye(x.shape[1])
    reg[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - y) + reg @ w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + reg
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def percent(values: Iterable[bool]) -> float:
    values = list(values)
    return round(sum(values) / len(values), 3) if values else float("nan")


def fit_arguments(doc: str | None) -> argparse.ArgumentParser:
    """The options every bench/fit_*.py script shares."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--write", action="store_true", help="store the fitted weights in the ranking profile")
    parser.add_argument(
        "--profile", default=None,
        help="ranking profile to fit: a packaged name (e5-small, embeddinggemma) or a .json path; default: the one the "
        "configured embedding engine uses",
    )  # fmt: skip
    parser.add_argument("--json", type=Path)
    return parser


def starting_profile(path: Path) -> Profile:
    """The profile stored in `path`, or for a new one e5-small's weights under its name (to be refitted)."""
    if path.exists():
        return load_profile(str(path))
    return replace(load_profile("e5-small"), name=path.stem)


def open_for_fitting(kb_dir: str, name: str | None) -> tuple[KioskConfig, KnowledgeBase, Profile, Path]:
    """The configured knowledge base, searching with the profile being fitted (`name`, else the engine's own; it
    need not exist yet), and the file --write stores that profile in."""
    config = load_config(kb_dir=kb_dir)
    path = profile_path(name or profile_name(config))
    profile = starting_profile(path)
    config.retrieval.profile = str(path) if path.exists() else "e5-small"  # a stand-in the engines can load
    kb = open_knowledge_base(config)
    kb.retriever.profile = profile
    return config, kb, profile, path
