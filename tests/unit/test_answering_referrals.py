from __future__ import annotations

from pathlib import Path

import pytest

from answering import Answerer
from answering.referrals import Referral, ReferralBook
from core.config import KioskConfig
from core.errors import ConfigError
from core.models import AnswerMode
from tests.unit.answering_fakes import ID_CARD_5, RESIDENCE_9, FakeKnowledgeBase, ScriptedChatModel, hit

TRAFFIC = Referral("机动车和驾驶证", "车管所", ("驾驶证", "驾照", "交通事故", "电动车"))
UTILITIES = Referral("水电燃气", "供电营业厅", ("电费", "停电"))
BOOK = ReferralBook([TRAFFIC, UTILITIES])
RESIDENCE_13 = hit("居住证暂行条例", "第十三条", "第十三条 居住证持有人在居住地享受下列便利：……申领机动车驾驶证……")
INJURY_14 = hit("工伤保险条例", "第十四条", "第十四条 职工有下列情形之一的，应当认定为工伤：……在上下班途中，受到非本人主要责任的交通事故……")
INJURY_16 = hit("工伤保险条例", "第十六条", "第十六条 职工因下列情形之一导致本人在工作中伤亡的，不得认定为工伤……")


def test_a_named_service_the_best_passage_does_not_name_is_referred() -> None:
    match = BOOK.refer("机动车驾驶证的有效期是多长", ID_CARD_5)
    assert match is not None and match.referral is TRAFFIC and match.term == "驾驶证"
    assert BOOK.refer("我家停电了找谁", RESIDENCE_9).referral is UTILITIES  # type: ignore[union-attr]


def test_no_referral_without_a_named_service() -> None:
    assert BOOK.refer("办居住证要带什么材料", RESIDENCE_9) is None
    assert ReferralBook([]).refer("驾驶证到期了", ID_CARD_5) is None


def test_the_knowledge_base_speaks_when_the_best_passage_names_the_service() -> None:
    assert BOOK.refer("有居住证能在这边申领驾驶证吗", RESIDENCE_13) is None
    # any of the topic's terms counts: the passage says 交通事故, the citizen said 电动车
    assert BOOK.refer("骑电动车下班路上被撞了算工伤吗", INJURY_14) is None


def test_a_question_about_the_best_documents_own_subject_is_not_referred() -> None:
    question = "骑电动车下班路上被撞了算工伤吗"
    assert BOOK.refer(question, INJURY_16) is not None  # no subject words given: the vehicle decides
    assert BOOK.refer(question, INJURY_16, [("工伤", 0.35), ("电动车", 0.9)]) is None  # 工伤保险条例 is about 工伤
    # a word as general as 登记 in a title does not make the question the document's own
    assert BOOK.refer("驾照丢了去哪登记", hit("户口登记条例", "第八条", "……"), [("登记", 0.21)]) is not None
    # nor a word of the term that named the topic: 登记 of 收养登记 in 户口登记条例
    adoption = ReferralBook([Referral("收养登记", "民政部门", ("收养登记",))])
    birth = hit("户口登记条例", "第七条", "第七条 弃婴，由收养人或者育婴机关向户口登记机关申报出生登记。")
    assert adoption.refer("收养登记去哪办", birth, [("收养", 0.71), ("登记", 0.58)]) is not None
    # nor a group of people the document is for: 残疾人保障法 says nothing of driving licences
    disability_54 = hit("残疾人保障法", "第五十四条", "第五十四条 国家采取措施，为残疾人信息交流无障碍创造条件。")
    assert BOOK.refer("残疾人可以考驾照吗", disability_54, [("驾照", 0.9), ("残疾人", 0.62)]) is not None


def test_a_means_the_halls_services_use_too_is_referred_only_when_asked_of_itself() -> None:
    banks = ReferralBook([Referral("银行业务", "银行网点", ("银行卡", "信用卡"), means=("银行卡",))])
    unemployment_16 = hit("失业保险条例", "第十六条", "第十六条 ……失业人员凭单证到指定银行领取失业保险金。")
    # 失业金 is the hall's (its statute name 失业保险金 is in the passage); 低保 is a scheme the knowledge base covers
    assert banks.refer("失业金会打到我的银行卡上吗", unemployment_16, [("失业金", 1.0), ("银行卡", 0.7)]) is None
    assert banks.refer("申请低保要提供银行卡吗", ID_CARD_5, [("低保", 0.79), ("银行卡", 0.7)]) is None
    # the card itself, or a term that is not a means, is the bank's
    assert banks.refer("银行卡丢了怎么挂失", RESIDENCE_9, [("挂失", 0.85), ("银行卡", 0.7)]) is not None
    assert banks.refer("失业金能还信用卡吗", unemployment_16, [("失业金", 1.0), ("信用卡", 0.68)]) is not None
    # a shared word that names no service of the hall keeps the referral: 注销户口 contains 销户, 死亡 is 去世
    phones = ReferralBook([Referral("通信", "营业厅", ("手机号",), means=("手机号",))])
    death_8 = hit("户口登记条例", "第八条", "第八条 公民死亡，……注销户口。")
    asked = "我爸去世了 他名下的手机号怎么销户"
    assert phones.refer(asked, death_8, [("销户", 0.94), ("手机号", 0.8), ("去世", 0.59)]) is not None


def test_the_longest_named_term_picks_the_topic() -> None:
    book = ReferralBook([Referral("电", "供电", ("电费",)), Referral("车", "车管所", ("电动车上牌",))])
    assert book.refer("电动车上牌和电费", RESIDENCE_9).referral.where == "车管所"  # type: ignore[union-attr]


def test_the_shipped_book_loads_and_names_the_headline_cases() -> None:
    book = ReferralBook.load()
    assert len(book.referrals) >= 10
    assert all(r.topic and r.where and r.terms for r in book.referrals)
    assert book.refer("机动车驾驶证的有效期是多长", ID_CARD_5) is not None
    assert book.refer("京牌小客车车主去世后亲属如何继承车辆", hit("退役军人保障法", "第六十条", "……军人公墓……")) is not None
    # adoption is a civil-affairs registration no statute here covers; 领养老金 is not 领养
    assert book.refer("我想领养个孩子 去哪办", hit("户口登记条例", "第七条", "……收养人……")) is not None
    assert book.refer("到退休年龄了申请领养老金", hit("社会保险法", "第十六条", "……")) is None
    # wages and labour contracts are the labour inspectorate's: 农民工欠薪找谁 was answered with a social-insurance article
    labour = book.refer("农民工欠薪找谁", hit("社会保险法", "第六十三条", "用人单位未按时足额缴纳社会保险费的……"))
    assert labour is not None and "12333" in labour.referral.where
    unpaid = book.refer("单位三个月没发工资了 去哪里告", hit("社会保险经办条例", "第二十五条", "个人出现国家规定的停止享受社会保险待遇的情形……"))
    assert unpaid is not None and unpaid.referral is labour.referral
    # …unless the best article speaks of it: 失业保险金 is set below the local minimum wage
    unemployment_18 = hit("失业保险条例", "第十八条", "失业保险金的标准，按照低于当地最低工资标准、高于城市居民最低生活保障标准的水平……")
    assert book.refer("失业金是不是不能低于最低工资", unemployment_18) is None
    # a pharmacy's licence is the drug regulator's; the licensing law's one-window article does not answer it
    permit_26 = hit("行政许可法", "第二十六条", "行政许可依法由地方人民政府两个以上部门分别实施的……")
    pharmacy = book.refer("想开个药店 要办什么许可证 找哪个部门", permit_26)
    assert pharmacy is not None and "药品监督管理" in pharmacy.referral.where
    assert book.refer("腿脚不方便 能让家里人拿我的医保卡去药店买药吗", hit("医疗保障基金使用监督管理条例", "第十五条", "……")) is None


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ("- topic: 车\n  where: 车管所\n  terms: [驾照\n", "referrals-malformed", "not valid YAML"),
        ("topic: 车", "referrals-malformed", "must be a list"),
        ("- 驾照", "referrals-malformed", "topic 1"),
        ("- topic: 车\n  terms: [驾照]", "referrals-malformed", "`where`"),
        ("- topic: 车\n  where: 车管所\n  terms: [驾]", "referrals-malformed", "at least two characters"),
        ("- topic: 车\n  where: 车管所\n  terms: []", "referrals-malformed", "`terms`"),
        ("- topic: 车\n  where: 车管所\n  terms: [驾照]\n  means: [车钥匙]", "referrals-malformed", "`means`"),
    ],
)
def test_a_malformed_list_names_the_file_and_the_problem(tmp_path: Path, text: str, code: str, says: str) -> None:
    path = tmp_path / "referrals.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        ReferralBook.load(path)
    assert caught.value.code == code and says in caught.value.message and str(path) in caught.value.message


def test_an_empty_or_missing_list(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# no referrals in this hall\n", encoding="utf-8")
    assert ReferralBook.load(empty).referrals == ()
    with pytest.raises(ConfigError) as caught:
        ReferralBook.load(tmp_path / "absent.yaml")
    assert caught.value.code == "referrals-unreadable"


def _answerer(tmp_path: Path, hits: list, **answering: object) -> tuple[Answerer, ScriptedChatModel]:
    path = tmp_path / "referrals.yaml"
    path.write_text("- topic: 机动车和驾驶证\n  where: 车管所\n  terms: [驾驶证, 驾照]\n", encoding="utf-8")
    config = KioskConfig()
    config.answering.referrals_file = path
    config.answering.answerable_threshold = 0.0
    for key, value in answering.items():
        setattr(config.answering, key, value)
    model = ScriptedChatModel(["不该被调用。"])
    return Answerer(FakeKnowledgeBase(hits), model, config), model


@pytest.mark.parametrize("style", ["quote", "generate"])
async def test_the_answerer_refers_instead_of_quoting_an_unrelated_rule(tmp_path: Path, style: str) -> None:
    answerer, model = _answerer(tmp_path, [ID_CARD_5], style=style)
    answer = await answerer.answer("驾驶证的有效期是多长")
    assert answer.refused and answer.mode is AnswerMode.REFUSAL and answer.citations == []
    assert "机动车和驾驶证" in answer.spoken and "车管所" in answer.spoken and "12345" in answer.spoken
    assert "二十年" not in answer.answer and "居民身份证法" not in answer.answer
    assert answer.hits == [ID_CARD_5]  # kept on the record for the panel's unanswered queue
    assert model.calls == []


async def test_the_referral_wording_comes_from_config(tmp_path: Path) -> None:
    answerer, _ = _answerer(tmp_path, [ID_CARD_5], style="quote", referral_reply="请去{where}（{topic}）。")
    assert (await answerer.answer("驾照到期了怎么换")).spoken == "请去车管所（机动车和驾驶证）。"


async def test_a_question_the_knowledge_base_speaks_to_is_answered(tmp_path: Path) -> None:
    answerer, _ = _answerer(tmp_path, [RESIDENCE_13], style="quote")
    answer = await answerer.answer("有居住证能在这边申领驾驶证吗")
    assert not answer.refused and answer.citations and answer.citations[0].article == "第十三条"


async def test_a_question_refused_for_another_departments_matter_is_sent_there(tmp_path: Path) -> None:
    # 第十三条 names 驾驶证 in passing, so the question is not referred at once; refused, it is sent to the 车管所
    answerer, _ = _answerer(tmp_path, [RESIDENCE_13], style="quote", answerable_threshold=1.0)
    answer = await answerer.answer("驾驶证怎么办理")
    assert answer.refused and answer.citations == [] and "车管所" in answer.spoken
    # …but not when another subject word names a document found: a 工伤 question that mentions a licence
    answerer, _ = _answerer(tmp_path, [INJURY_14], style="quote", answerable_threshold=1.0)
    answer = await answerer.answer("驾照考试路上受伤算工伤吗")
    assert answer.refused and "车管所" not in answer.spoken and "12345" in answer.spoken


def test_a_malformed_configured_list_stops_the_answerer_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("{", encoding="utf-8")
    config = KioskConfig()
    config.answering.referrals_file = path
    with pytest.raises(ConfigError, match="bad.yaml"):
        Answerer(FakeKnowledgeBase([]), ScriptedChatModel([]), config)


def test_the_panels_list_replaces_the_deployments_file(tmp_path: Path) -> None:
    config = KioskConfig().answering
    assert [r.topic for r in ReferralBook.for_config(config).referrals] == [r.topic for r in ReferralBook.load().referrals]
    path = tmp_path / "hall.yaml"
    path.write_text("- topic: 车\n  where: 车管所\n  terms: [驾照]\n", encoding="utf-8")
    config.referrals_file = path
    assert [r.where for r in ReferralBook.for_config(config).referrals] == ["车管所"]
    config.referrals_yaml = "- topic: 人才补贴\n  where: 人才服务中心\n  terms: [安家补贴]\n"
    assert [r.where for r in ReferralBook.for_config(config).referrals] == ["人才服务中心"]
    config.referrals_yaml = ""  # an empty list set in the panel turns referral off
    assert ReferralBook.for_config(config).referrals == ()
    config.referrals_yaml = "- topic: [\n"  # cannot come from the panel, which refuses it: the file's list serves
    assert [r.where for r in ReferralBook.for_config(config).referrals] == ["车管所"]
