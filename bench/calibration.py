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


def manner_questions(part: str | None = None) -> list[dict]:
    """bench/data/manners.jsonl: a follow-up asking how the previous question's service is done (可以找人代办吗,
    需要本人到场吗, 网上能办吗, 去哪个部门办, 不办会怎样, 要填什么表, 办不下来怎么办) or whether to bring a document
    (要带户口本吗), labelled from the corpus; `part` design was read while writing answering/manners.py, check was
    written and labelled before the kiosk answered it."""
    return _in_part(DATA / "manners.jsonl", part)


def definition_questions(part: str | None = None) -> list[dict]:
    """bench/data/definitions.jsonl: what a term means (什么叫特困人员, 电子印章是什么, 赡养人指的是谁) or how two things
    differ (居住证和暂住证有什么区别), labelled from the corpus; `part` check was written and labelled before the kiosk
    answered it, design was read while building."""
    return _in_part(DATA / "definitions.jsonl", part)


def obligation_questions(part: str | None = None) -> list[dict]:
    """bench/data/obligations.jsonl: whether one must do something (身份证必须办吗, 单位必须给职工交公积金吗, 可以不办吗),
    labelled from the corpus; `part` check was written and labelled before the kiosk answered it, design was read while
    building."""
    return _in_part(DATA / "obligations.jsonl", part)


def wait_questions(part: str | None = None) -> list[dict]:
    """bench/data/waits.jsonl: how long a service takes, asked after a longer question about it (办居住证要带什么材料 →
    要多久), labelled from the corpus; `part` check was written and labelled before the kiosk answered it, design was
    read while building."""
    return _in_part(DATA / "waits.jsonl", part)


def penalty_questions(part: str | None = None) -> list[dict]:
    """bench/data/penalties.jsonl: what follows breaking a rule (身份证借给朋友用 被查到会怎么罚, 单位不给交公积金 会受什么
    处罚), labelled from the corpus's articles on penalties and lost benefits; `part` check was written and labelled
    before the kiosk answered it, design was read while building."""
    return _in_part(DATA / "penalties.jsonl", part)


def legality_questions(part: str | None = None) -> list[dict]:
    """bench/data/legality.jsonl: whether what someone did or wants to do is allowed (中介说护照得交给他们收着 这合法吗,
    窗口让我把爸妈的结婚证也拿来 他们能这样要吗), labelled from the corpus's articles stating the rule; `part` check was
    written and labelled before the kiosk answered it, design was read while building."""
    return _in_part(DATA / "legality.jsonl", part)


def frequency_questions(part: str | None = None) -> list[dict]:
    """bench/data/frequency.jsonl: how often something is paid or done (养老金是一个月给一回还是攒到年底一起给, 公积金是
    每个月发工资的时候扣吗), labelled from the corpus's articles stating it; `part` check was written and labelled before
    the kiosk answered it, design was read while building."""
    return _in_part(DATA / "frequency.jsonl", part)


def act_questions(part: str | None = None) -> list[dict]:
    """bench/data/acts.jsonl: a short follow-up asking what follows an act or an omission without naming the earlier
    question's certificate or benefit (居住证怎么办 → 租给别人用会罚吗, 失业金怎么领 → 介绍的工作不去会怎样), labelled from
    the corpus; `part` check was written and labelled before the kiosk answered it, design was read while building."""
    return _in_part(DATA / "acts.jsonl", part)


def condition_questions(part: str | None = None) -> list[dict]:
    """bench/data/conditions.jsonl: who may have a service or benefit, asked as a question of its own (办居住证需要什么
    条件, 我这种情况够条件领失业金吗), labelled from the corpus's articles stating it; `part` check was written and
    labelled before the kiosk answered it, design was read while building."""
    return _in_part(DATA / "conditions.jsonl", part)


def department_questions(part: str | None = None) -> list[dict]:
    """bench/data/departments.jsonl: which office handles something or where to apply, asked as a question of its own
    (低保是哪个部门批的, 工伤认定找谁申请), labelled from the corpus's articles naming the office; `part` check was written
    and labelled before the kiosk answered it, design was read while building."""
    return _in_part(DATA / "departments.jsonl", part)


def situation_questions(part: str | None = None) -> list[dict]:
    """bench/data/situations.jsonl: whether one's own case may have a benefit, a certificate or a service, told and
    asked without naming conditions (合同到期单位不续了 这种能领失业金吗, 离婚才半年 还能再登记吗), labelled from the
    corpus's articles deciding it; `part` check was written and labelled before the kiosk answered it, design was read
    while building."""
    return _in_part(DATA / "situations.jsonl", part)


def appeal_questions(part: str | None = None) -> list[dict]:
    """bench/data/appeals.jsonl: how to challenge or complain about a decision or an act (街道把低保申请驳回了 我不服
    能去哪儿说理, 单位不给交社保去哪举报), labelled from the corpus's articles on review, suits and reports; `part` check
    was written and labelled before the kiosk answered it, design was read while building."""
    return _in_part(DATA / "appeals.jsonl", part)


def stop_questions(part: str | None = None) -> list[dict]:
    """bench/data/stops.jsonl: when a benefit stops or a certificate or status ends, and whether one may keep it
    (领着失业金呢 下个月要去当兵了 那失业金还能接着领不, 营业执照被吊销了 …), labelled from the corpus's articles on
    stopping, cancelling and revoking; `part` check was written and labelled before the kiosk answered it, design is
    read while building."""
    return _in_part(DATA / "stops.jsonl", part)


def fee_questions(part: str | None = None) -> list[dict]:
    """bench/data/fees.jsonl: what a citizen is charged (补办结婚证收不收钱, 窗口多收了钱能要回来吗, 工本费多少), labelled
    from the corpus's articles on fees, free services and who bears a cost; an amount no article states is unanswerable;
    `part` check was written and labelled before the kiosk answered it, design is read while building."""
    return _in_part(DATA / "fees.jsonl", part)


def transfer_questions(part: str | None = None) -> list[dict]:
    """bench/data/transfers.jsonl: affairs across places (社保能转到老家吗, 人在上海户口在安徽 低保归哪管, 住所搬到另一个区了
    执照去哪变更), labelled from the corpus's articles on transfers, 户籍所在地 and 经常居住地; `part` check was written
    and labelled before the kiosk answered it, design is read while building."""
    return _in_part(DATA / "transfers.jsonl", part)


def period_questions(part: str | None = None) -> list[dict]:
    """bench/data/periods.jsonl: how long something lasts, until when, at what age or by when one must act (护照能用几年,
    孩子多大要办身份证, 公司搬了地址多少天内要去变更), labelled from the corpus's articles stating a validity, an age or a
    deadline; one no article states is unanswerable; `part` check was written and labelled before the kiosk answered
    it, design is read while building."""
    return _in_part(DATA / "periods.jsonl", part)


def amount_questions(part: str | None = None) -> list[dict]:
    """bench/data/amounts.jsonl: how much a benefit pays, what share one pays in, how much a fine is (失业金一个月能领多少,
    公积金交多少比例, 身份证借给别人用罚多少钱), labelled from the corpus's articles stating the amount, share or rule; a
    figure left to local standards is unanswerable; `part` check was written and labelled before the kiosk answered
    it, design is read while building."""
    return _in_part(DATA / "amounts.jsonl", part)


def channel_questions(part: str | None = None) -> list[dict]:
    """bench/data/channels.jsonl: through which channel a service is done: online, by post, at a self-service machine,
    urgently, by appointment, in another place, by someone else, with an electronic certificate (社保上的事能不能在手机上弄,
    她的居住证我能替她去申请吗, 只带电子的证算不算数), labelled from the corpus's articles stating the channel; an app's
    name or a city's own arrangement is unanswerable; `part` check was written and labelled before the kiosk answered
    it, design is read while building."""
    return _in_part(DATA / "channels.jsonl", part)


def applying_questions(part: str | None = None) -> list[dict]:
    """bench/data/applying.jsonl: how to get a service, where one goes for it and which documents to bring
    (我自己能去哪申请工伤认定, 被公司辞退了 去领失业金要带哪些东西, 我跑外卖的 没单位给交社保 想自己交 该怎么弄),
    labelled from the corpus's articles on the applicant's part; a service no statute here covers or a hall's own
    arrangement is unanswerable; `part` check was written and labelled before the kiosk answered it, design is read
    while building."""
    return _in_part(DATA / "applying.jsonl", part)


def privilege_questions(part: str | None = None) -> list[dict]:
    """bench/data/privileges.jsonl: preferential treatment and care for older people, people with disabilities,
    veterans and low-income families (公办养老院能不能先收她, 配轮椅助听器这些钱谁来出, 回来孩子转学入学能优先吗), labelled
    from the corpus's articles granting it; a local discount, subsidy or figure the statutes leave to local governments
    is unanswerable; `part` check was written and labelled before the kiosk answered it, design is read while
    building."""
    return _in_part(DATA / "privileges.jsonl", part)


def bereavement_questions(part: str | None = None) -> list[dict]:
    """bench/data/bereavement.jsonl: what a family must do and may claim after a death (我爸上个月走了 他公积金里还有钱
    我们能取出来吗, cancelling a 户口, survivors' benefits, a funeral, ashes), labelled from the corpus's articles; a
    local amount, a cemetery's price or another department's matter is unanswerable; `part` check was written and
    labelled before the kiosk answered it, design is read while building."""
    return _in_part(DATA / "bereavement.jsonl", part)


def record_questions(part: str | None = None) -> list[dict]:
    """bench/data/records.jsonl: looking up one's own records, correcting wrong personal information and who may see
    or leak it (我身份证上出生日期写错了一年 这个能改过来吗, 社保缴费记录怎么查), labelled from the corpus's articles; a credit
    report, a criminal-record certificate or a figure the statutes leave open is unanswerable; `part` check was written
    and labelled before the kiosk answered it, design is read while building."""
    return _in_part(DATA / "records.jsonl", part)


def work_questions(part: str | None = None) -> list[dict]:
    """bench/data/work.jsonl: what an employer must or may not do toward a worker and what a worker may claim (老板说要押着
    我的身份证 这样合法吗, 单位不给交社保), labelled from the corpus's articles; overtime pay, leave, severance, a minimum
    wage or a labour contract's terms, which no statute here states, are unanswerable; `part` check was written and
    labelled before the kiosk answered it, design is read while building."""
    return _in_part(DATA / "work.jsonl", part)


def business_questions(part: str | None = None) -> list[dict]:
    """bench/data/business.jsonl: running a small business — registering a 个体户 or a company, changing, pausing or
    closing it, its annual report, permits, taxes and staff (店搬了个地方 执照上的地址要不要改), labelled from the corpus's
    articles; a food licence, a VAT rate, a local subsidy or another department's matter is unanswerable; `part`
    check was written and labelled before the kiosk answered it, design is read while building."""
    return _in_part(DATA / "business.jsonl", part)


def family_questions(part: str | None = None) -> list[dict]:
    """bench/data/family.jsonl: marrying and divorcing, a baby's registration, children's schooling and caring for
    parents (孩子生下来多久之内得去上户口, 我哥不管我妈 也不给钱 政府能管吗), labelled from the corpus's articles; marriage leave,
    custody, a property split or a local subsidy, which no statute here states, are unanswerable; `part` check was
    written and labelled before the kiosk answered it, design is read while building."""
    return _in_part(DATA / "family.jsonl", part)


def migrant_questions(part: str | None = None) -> list[dict]:
    """bench/data/migrants.jsonl: living and working away from one's registered 户口 — the 居住证 and what it gives,
    moving a 户口, an ID card lost away from home, insurance and 公积金 carried along (身份证在这边丢了 非得回老家补吗),
    labelled from the corpus's articles; a city's settlement points, a rental subsidy or a purchase restriction is
    unanswerable; `part` check was written and labelled before the kiosk answered it, design is read while
    building."""
    return _in_part(DATA / "migrants.jsonl", part)


def medical_questions(part: str | None = None) -> list[dict]:
    """bench/data/medical.jsonl: seeing a doctor and being reimbursed — a 医保卡 lent or used for someone else, a
    hospital or pharmacy billing improperly, cover while unemployed or retired, a work injury's or a birth's costs,
    医疗救助 (拿俺的医保卡去医院看病 俺要是借给他会咋样), labelled from the corpus's articles; a reimbursement rate,
    a deductible, a drug's cover or a card's fee is unanswerable; `part` check was written and labelled before the
    kiosk answered it, design is read while building."""
    return _in_part(DATA / "medical.jsonl", part)


def online_questions(part: str | None = None) -> list[dict]:
    """bench/data/online.jsonl: dealing with offices online and asking government for information — electronic
    certificates and signatures, an information request's channels, time, cost and refusals, a licence's application,
    time limit, fees and hearing (申请公开这个要掏钱不), labelled from the corpus's articles; an app's name, a
    password, a window's hours or a certificate key's price is unanswerable; `part` check was written and labelled
    before the kiosk answered it, design is read while building."""
    return _in_part(DATA / "online.jsonl", part)


def housing_questions(part: str | None = None) -> list[dict]:
    """bench/data/housing.jsonl: a home — registering, inheriting, mortgaging and looking up a house or flat, and the
    住房公积金 as a household uses it (公积金账户里的钱能取出来凑首付不), labelled from the corpus's articles; a deed tax
    rate, a loan's interest or ceiling, a registration fee or a purchase restriction is unanswerable; `part` check
    was written and labelled before the kiosk answered it, design is read while building."""
    return _in_part(DATA / "housing.jsonl", part)


def disability_questions(part: str | None = None) -> list[dict]:
    """bench/data/disability.jsonl: living with a disability — a disabled child's schooling and exams, work and the
    employers' quota, care, accessibility and voting, a disabled veteran's or injured worker's rights, a family acting
    for them (考场上能给她准备盲文卷子吗), labelled from the corpus's articles; a subsidy's amount, where a 残疾证 is
    assessed or a province's quota is unanswerable; `part` check was written and labelled before the kiosk answered
    it, design is read while building."""
    return _in_part(DATA / "disability.jsonl", part)


def veteran_questions(part: str | None = None) -> list[dict]:
    """bench/data/veterans.jsonl: leaving the armed forces and life afterwards — placement, a job or a one-off
    payment, study, insurance years carried over, a spouse's job, a disabled veteran's pension, what follows a death
    (退伍回来多少天之内得去报到), labelled from the corpus's articles; a payment's or pension's amount, a quota or an
    office's hours is unanswerable; `part` check was written and labelled before the kiosk answered it, design is
    read while building."""
    return _in_part(DATA / "veterans.jsonl", part)


def abroad_questions(part: str | None = None) -> list[dict]:
    """bench/data/abroad.jsonl: going abroad and coming back — a passport applied for, lost or refused, who may not
    leave, a foreign relative's visa, stay and registration, a foreign worker, another's documents used at the border
    (办护照去哪个部门), labelled from the corpus's articles; a passport's fee, a photo's background, a visa-free list or
    a visa's time is unanswerable; `part` check was written and labelled before the kiosk answered it, design is
    read while building."""
    return _in_part(DATA / "abroad.jsonl", part)

def _in_part(path: Path, part: str | None) -> list[dict]:
    """A set's rows, all or one part ('design' / 'check')."""
    return [q for q in read_jsonl(path) if part is None or q["part"] == part]


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
