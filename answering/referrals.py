"""Questions about other departments' services: say where to go instead of quoting an unrelated rule.

The statutes share words with every department (a 居住证 article lists 驾驶证 among the services its holders may
use), so a question about a driving licence finds some passage that looks close. The referral book names the
services the hall's knowledge base does not cover and the department that handles each. A question naming one
of them is referred there, unless the best passage names that service too: then the knowledge base does speak to
it and the answerability check decides as usual.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from answering.answerability import schemes_in
from core.config import AnsweringConfig
from core.errors import ConfigError
from core.models import Hit
from knowledge_base.question import is_place_or_people
from knowledge_base.relevance import present

log = logging.getLogger(__name__)
_PACKAGED = "referrals.yaml"
# A question word this specific (0 = 的, 1 = unseen in general Chinese) that the best passage's title names makes
# the question the knowledge base's own; 登记 (0.21) or 保险 (0.21) in a title are too general to count.
_TITLE_WORD_WEIGHT = 0.3
_SERVICE_THING = re.compile(r"(?:金|卡|证|费|险|保)$")  # 失业金, 社保卡, 居住证, 工本费, 养老保险


@dataclass(frozen=True)
class Referral:
    topic: str  # 机动车、驾驶证和交通违法
    where: str  # 公安交通管理部门（车管所）或“交管12123”
    terms: tuple[str, ...]
    # terms naming a means the hall's own services use too (银行卡, 手机号): such a term alone does not make the
    # question another department's
    means: tuple[str, ...] = ()

    def named_in(self, text: str) -> str | None:
        """The longest of this topic's terms that the text names, if any."""
        found = [t for t in self.terms if t in text]
        return max(found, key=len) if found else None


@dataclass(frozen=True)
class ReferralMatch:
    referral: Referral
    term: str  # the word of the question that named the topic


class ReferralBook:
    def __init__(self, referrals: Sequence[Referral]) -> None:
        self.referrals = tuple(referrals)

    def refer(self, question: str, best: Hit | None, subject: Sequence[tuple[str, float]] = ()) -> ReferralMatch | None:
        """The department to send this question to, or None when the knowledge base speaks to it.

        None when the question names no topic, when the best passage names the topic too, or when the best
        passage's document is about one of the question's own subject words (`subject`, weighted as in
        knowledge_base.question): 下班路上骑电动车被撞了算工伤吗 is a 工伤保险条例 question that mentions a vehicle.
        A topic named only by a means the hall's services use too (银行卡) is not referred when the question asks of
        one of those services (`Referral.means`)."""
        named = [(r, term) for r in self.referrals if (term := r.named_in(question))]
        if not named:
            return None
        if best is not None:
            passage = best.titled_text
            if any(r.named_in(passage) for r, _ in named):
                return None
            # a word of a term the question named the topic with (登记 of 收养登记) is no sign of the knowledge base's
            # own topic: 户口登记条例 says nothing of adoption
            terms = {t for r, _ in named for t in r.terms}
            said = [t for t in terms if t in question]
            # …nor a group of people (残疾人保障法 is about 残疾人, not about the 驾照 残疾人可以考驾照吗 asks of)
            if any(
                w in best.title for w, weight in subject
                if weight >= _TITLE_WORD_WEIGHT and w not in terms and not any(w in term for term in said)
                and not is_place_or_people(w)
            ):
                return None
            if all(term in r.means for r, term in named) and _asks_of_own_service(question, passage, subject, terms):
                return None
        referral, term = max(named, key=lambda pair: len(pair[1]))
        return ReferralMatch(referral, term)

    def refer_refused(
        self, question: str, subject: Sequence[tuple[str, float]], titles: Sequence[str]
    ) -> ReferralMatch | None:
        """The department to send a question the knowledge base was found not to answer to, or None. `refer` keeps
        a question whose best passage names the topic (驾驶证怎么办理 found 居住证暂行条例 第十三条, 申领机动车驾驶证
        among a holder's conveniences); once refused, it is sent on when the topic is its main subject word (`subject`
        as in `refer`) and no other subject word names a document found (`titles`): 开车上班路上出了交通事故算工伤吗
        is a 工伤保险条例 question."""
        match = self.refer(question, None)
        if match is None or not subject:
            return None
        main = subject[0][0]
        if match.term not in main and main not in match.term:
            return None
        others = [w for w, _ in subject[1:] if w not in match.term and not is_place_or_people(w)]
        return None if any(w in title for title in titles for w in others) else match

    @classmethod
    def for_config(cls, config: AnsweringConfig) -> ReferralBook:
        """The panel's list if one is set, else the deployment's file, else the list shipped with the kiosk.

        The panel refuses a list that does not parse, so a bad one in the store was put there some other way: the
        kiosk keeps answering with the deployment's list rather than stop."""
        if config.referrals_yaml is not None:
            try:
                return cls.parse(config.referrals_yaml, "set in the admin panel")
            except ConfigError as exc:
                log.error("%s; using the deployment's referral list instead", exc.message)
        return cls.load(config.referrals_file)

    @classmethod
    def load(cls, path: Path | None = None) -> ReferralBook:
        """The book in `path`, or the one shipped with the kiosk. A malformed file names itself and the entry."""
        return cls.parse(file_text(path), _name(path))

    @classmethod
    def parse(cls, text: str, where: str) -> ReferralBook:
        """The book a YAML text describes; `where` names the text in errors (a file, the panel)."""
        try:
            entries = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError("referrals-malformed", f"the referral list {where} is not valid YAML: {exc}") from None
        if entries is None:
            return cls(())
        if not isinstance(entries, list):
            raise ConfigError("referrals-malformed", f"the referral list {where} must be a list of topics")
        return cls([_entry(where, i, e) for i, e in enumerate(entries, start=1)])


def _asks_of_own_service(question: str, passage: str, subject: Sequence[tuple[str, float]], terms: set[str]) -> bool:
    """Whether a question naming only a means (失业金会打到我的银行卡上吗) asks about one of the hall's services: it
    names a scheme the knowledge base covers (低保, 养老金), or a benefit, card or certificate the best passage names.
    Any shared word would not do: 注销户口 contains 销户, and 去世 is 死亡 in every statute."""
    return bool(schemes_in(question)) or any(
        _SERVICE_THING.search(w) and present(w, passage) for w, weight in subject
        if weight >= _TITLE_WORD_WEIGHT and w not in terms and not any(w in t or t in w for t in terms)
    )


def file_text(path: Path | None = None) -> str:
    """The text of the referral list in `path`, or of the one shipped with the kiosk."""
    where = _name(path)
    try:
        if path is None:
            return resources.files("answering").joinpath(_PACKAGED).read_text(encoding="utf-8")
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("referrals-unreadable", f"cannot read the referral list {where}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError("referrals-malformed", f"the referral list {where} is not UTF-8 text: {exc}") from None


def _name(path: Path | None) -> str:
    return str(path) if path is not None else f"answering/{_PACKAGED}"


def _entry(where: str, number: int, entry: object) -> Referral:
    def fail(problem: str) -> ConfigError:
        return ConfigError("referrals-malformed", f"the referral list {where}, topic {number}: {problem}")

    if not isinstance(entry, dict):
        raise fail("each topic needs topic, where and terms")
    topic, place, terms, means = entry.get("topic"), entry.get("where"), entry.get("terms"), entry.get("means", [])
    if not isinstance(topic, str) or not topic.strip():
        raise fail("`topic` must be a non-empty text")
    if not isinstance(place, str) or not place.strip():
        raise fail(f"`where` must say where to go for {topic}")
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) and len(t.strip()) >= 2 for t in terms):
        raise fail(f"`terms` of {topic} must be a list of words of at least two characters")
    if not isinstance(means, list) or not all(isinstance(t, str) and t.strip() in terms for t in means):
        raise fail(f"`means` of {topic} must list some of its terms")
    words = tuple(dict.fromkeys(t.strip() for t in terms))
    return Referral(topic.strip(), place.strip(), words, tuple(t.strip() for t in means))


__all__ = ["Referral", "ReferralBook", "ReferralMatch", "file_text"]
