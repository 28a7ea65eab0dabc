from __future__ import annotations

import pytest

from answering.gate import Gate, searched_as, with_the_laws_relevance
from answering.parts import Part
from core.config import KioskConfig
from core.models import Hit
from knowledge_base.profiles import profile_for
from knowledge_base.question import FOLLOWUP_SEPARATOR, analyse
from tests.unit.answering_fakes import ID_CARD_5, RESIDENCE_9, FakeVocabulary, hit


def gate(vocabulary: FakeVocabulary | list[FakeVocabulary], **answering: object) -> Gate:
    config = KioskConfig()
    config.answering.answerable_threshold = 0.0
    for key, value in answering.items():
        setattr(config.answering, key, value)
    versions = vocabulary if isinstance(vocabulary, list) else [vocabulary]
    return Gate(config.answering, profile_for(config), lambda: versions.pop(0) if len(versions) > 1 else versions[0])


def test_a_certificate_no_document_names_is_refused_as_the_knowledge_base_is_now() -> None:
    """Staff add a document naming 残疾证: the next check reads the knowledge base's terms again, and the 居住证 article
    found is then refused for being about another certificate."""
    checks = gate([FakeVocabulary(["居住证"]), FakeVocabulary(["居住证", "残疾证"])])
    question = "残疾证怎么办"
    before = checks.check(question, analyse(question), [RESIDENCE_9])
    after = checks.check(question, analyse(question), [RESIDENCE_9])
    assert before.refusal == "names 残疾证, which no document mentions"
    assert after.refusal == "the top passage's law is about the 居住证, not the certificate asked about"
    assert after.candidates == [RESIDENCE_9]


def test_the_threshold_and_relevance_floor_are_read_from_the_config_as_it_is() -> None:
    config = KioskConfig()
    checks = Gate(config.answering, profile_for(config), lambda: FakeVocabulary(["居住证"]))
    assert checks.threshold == profile_for(config).threshold
    config.answering.answerable_threshold = 0.99
    assert checks.threshold == 0.99
    question = "办居住证要带什么材料"
    strict = checks.check(question, analyse(question), [RESIDENCE_9])
    assert strict.verdict.score < 0.99 and strict.refusal == strict.verdict.reason()
    config.answering.answerable_threshold = 0.0
    assert checks.check(question, analyse(question), [RESIDENCE_9]).refusal is None
    config.answering.min_relevance = RESIDENCE_9.score + 0.01
    refusal = checks.check(question, analyse(question), [RESIDENCE_9]).refusal
    assert refusal is not None and refusal.startswith("the best passage left has relevance")


def test_no_passage_left_is_a_refusal_with_its_reason() -> None:
    checked = gate(FakeVocabulary(["居住证"])).check("办居住证要带什么材料", analyse("办居住证要带什么材料"), [])
    assert checked.refusal == "no passage left" and checked.candidates == []


def test_the_best_part_is_the_one_whose_check_scores_highest_unless_it_is_referred_elsewhere() -> None:
    checks = gate(FakeVocabulary(["居住证", "居民身份证"]))
    parts = [Part("身份证多久能拿到", "身份证多久能拿到"), Part("居住证要带什么材料", "居住证要带什么材料")]
    best = checks.best_part(parts, [RESIDENCE_9, ID_CARD_5], lambda query, top, terms: False)
    assert best is not None and best[0] is parts[1] and best[2].candidates[0] is RESIDENCE_9
    other = checks.best_part(parts, [RESIDENCE_9, ID_CARD_5], lambda query, top, terms: "居住证" in query)
    assert other is not None and other[0] is parts[0] and other[2].verdict.score < best[2].verdict.score
    assert checks.best_part(parts, [], lambda query, top, terms: False) is None


# Each kind of fact asked (what follows, how often, who qualifies, which office, how to challenge a decision): the
# question; the article first in relevance, which does not state it; one that does; and a question on the same thing
# not asking it.
_DUTY = hit("义务教育法", "第十一条", "第十一条 凡年满六周岁的儿童，其父母或者其他法定监护人应当送其入学接受并完成义务教育。", 0.8)
_PENALTY = hit(
    "义务教育法", "第五十八条",
    "第五十八条 适龄儿童、少年的父母或者其他法定监护人无正当理由未依照本法规定送适龄儿童、少年入学接受义务教育的，"
    "由当地乡镇人民政府或者县级人民政府教育行政部门给予批评教育，责令限期改正。", 0.3,
)
_SUBSIDY = hit("残疾人保障法", "第四十八条", "第四十八条 各级人民政府对生活不能自理的残疾人，按照规定给予护理补贴。", 0.8)
_MONTHLY = hit("失业保险条例", "第十六条", "第十六条 失业保险金由社会保险经办机构按月发放。", 0.4)
_MATERIALS = hit(
    "居住证暂行条例", "第九条",
    "第九条 申领居住证，应当向居住地公安派出所提交本人居民身份证、本人相片以及居住地住址、就业、就读等证明材料。"
    "对符合居住证办理条件的，公安机关应当及时制作发放居住证。", 0.7,
)
_WHO = hit(
    "居住证暂行条例", "第二条",
    "第二条 公民离开常住户口所在地，到其他城市居住半年以上，符合有合法稳定就业、合法稳定住所、连续就读条件之一的，"
    "可以依照本条例的规定申领居住证。", 0.3,
)
_RELIEF = hit("社会救助暂行办法", "第四十七条", "第四十七条 国家对因火灾、交通事故等意外事件，基本生活暂时出现严重困难的家庭或者个人，给予临时救助。")
_WHERE = hit("社会救助暂行办法", "第四十八条", "第四十八条 申请临时救助的，应当向乡镇人民政府、街道办事处提出。", 0.3)
_INJURY = hit("工伤保险条例", "第十四条", "第十四条 职工有下列情形之一的，应当认定为工伤：（一）在工作时间和工作场所内，因工作原因受到事故伤害的。")
_REVIEW = hit(
    "工伤保险条例", "第五十五条",
    "第五十五条 有下列情形之一的，有关单位或者个人可以依法申请行政复议，也可以依法向人民法院提起行政诉讼："
    "（一）申请工伤认定的职工或者其直系亲属、该职工所在单位对工伤认定申请不予受理的决定不服的。", 0.3,
)

_REGISTER = hit(
    "失业保险条例", "第十六条",
    "第十六条 城镇企业事业单位应当及时为失业人员出具终止或者解除劳动关系的证明，告知其按照规定享受失业保险待遇的权利。", 0.7,
)
_STOPS = hit(
    "失业保险条例", "第十五条",
    "第十五条 失业人员在领取失业保险金期间有下列情形之一的，停止领取失业保险金，并同时停止享受其他失业保险待遇：（一）重新就业的。", 0.3,
)

_REPLACE_WHERE = hit(
    "居住证暂行条例", "第十一条", "第十一条 居住证损坏难以辨认或者丢失的，居住证持有人应当到居住地公安派出所办理换领、补领手续。", 0.7
)
_FEE = hit("居住证暂行条例", "第二十一条", "第二十一条 首次申领居住证，免收证件工本费。换领、补领居住证，应当缴纳证件工本费。", 0.3)
_OFFICE_PERIOD = hit(
    "社会保险经办条例", "第六条",
    "第六条 用人单位在登记管理机关办理登记时同步办理社会保险登记。社会保险经办机构应当自收到申请之日起10个工作日内办理完毕。", 0.8,
)
_DEADLINE = hit("社会保险法", "第五十八条", "第五十八条 用人单位应当自用工之日起三十日内为其职工申请办理社会保险登记。", 0.3)
_UNEMPLOYED_REGISTER = hit(
    "失业保险条例", "第十六条", "第十六条 失业人员应当及时办理失业登记。失业保险金自办理失业登记之日起计算。", 0.7
)
_STANDARD = hit("失业保险条例", "第十八条", "第十八条 失业保险金的标准，由省、自治区、直辖市人民政府确定。", 0.3)


@pytest.mark.parametrize(
    ("question", "plain", "first", "stating"),
    [
        # 家长不送孩子上学 会怎么样 had quoted the article on the duty over the one on what follows not doing it
        ("孩子到了上学年龄 家长不送去上学 会怎么样", "孩子到了上学年龄 家长必须送去上学吗", _DUTY, _PENALTY),
        # the article granting the subsidy states no frequency; quoting it would say what the documents do not
        ("我家孩子是重度残疾 残疾人护理补贴是按月发还是按季度发", "残疾人护理补贴怎么申请", _SUBSIDY, _MONTHLY),
        # 第九条 refers to 符合…条件的 without stating them
        ("什么条件才能申请居住证", "办居住证要带什么材料", _MATERIALS, _WHO),
        # 第四十七条, on who may have temporary assistance, names no office at all
        ("家里一下子揭不开锅了 临时救助该找谁申请", "家里一下子揭不开锅了 能申请临时救助吗", _RELIEF, _WHERE),
        # the article on what counts as a work injury says nothing of what one may do about the ruling
        ("搬货砸了腰 人社局说不算工伤 我不服 能去告他们吗", "搬货砸了腰 这个算工伤吗", _INJURY, _REVIEW),
        # the employer's certificate and the registration share every word, but say nothing of when payment stops
        ("我在领失业金呢 上礼拜有个厂子要我了 那失业金还能接着领吗", "单位要给失业的职工出什么证明", _REGISTER, _STOPS),
        # 居住证丢了补办要钱吗 had quoted 第十一条 (where to replace it), first in relevance, which states no fee
        ("居住证丢了补办要钱吗", "居住证丢了去哪补办", _REPLACE_WHERE, _FEE),
        # 单位应该在多少天内给新职工办社保登记 had quoted 社会保险经办条例 第六条, whose only period is the office's
        ("单位应该在多少天内给新职工办社保登记", "办社保登记几天能办好", _OFFICE_PERIOD, _DEADLINE),
        # 失业金一个月能领多少 had been judged on 失业保险条例 第十六条 (registering), first in relevance
        ("失业金一个月能领多少", "失业金怎么领", _UNEMPLOYED_REGISTER, _STANDARD),
    ],
)
def test_a_question_on_one_kind_of_fact_is_answered_only_by_an_article_stating_it(
    question: str, plain: str, first: Hit, stating: Hit
) -> None:
    checks = gate(FakeVocabulary([first.text, stating.text]))
    assert checks.check(question, analyse(question), [first, stating]).candidates == [stating]
    assert checks.check(question, analyse(question), [first]).refusal == "no passage left"
    assert checks.check(plain, analyse(plain), [first, stating]).candidates[0] is first

def test_whether_a_case_counts_as_a_work_injury_is_answered_by_an_article_saying_which_do() -> None:
    """突发心梗 抢救了一天没救过来 能算工伤吗 had quoted 第四十一条 (a worker missing after an accident), first in
    relevance, over 第十五条 (视同工伤: 在48小时之内经抢救无效死亡的); a thing no article defines leaves the hits as found."""
    missing = hit("工伤保险条例", "第四十一条", "第四十一条 职工因工外出期间发生事故或者在抢险救灾中下落不明的，从事故发生当月起3个月内照发工资。")
    deemed = hit("工伤保险条例", "第十五条", "第十五条 职工有下列情形之一的，视同工伤：(一)在工作时间和工作岗位，突发疾病死亡的", 0.3)
    checks = gate(FakeVocabulary([missing.text, deemed.text]))
    question = "我爱人上班时突发心梗 抢救了一天没救过来 能算工伤吗"
    assert checks.check(question, analyse(question), [missing, deemed]).candidates == [deemed]
    assert checks.check(question, analyse(question), [missing]).candidates == [missing]


def test_a_line_asking_two_things_keeps_the_passages_for_each_part() -> None:
    """住房救助有哪些方式 由哪个部门审核: the article on the ways (it names no office) answers the first part, and the
    office's article is said for the second; asked alone, the office question passes over it."""
    ways = hit("上海市社会救助条例", "第二十五条", "第二十五条 通过发放廉租住房租金补贴、配租廉租住房实物房源等方式，给予住房救助。")
    office = hit("上海市社会救助条例", "第三十七条", "第三十七条 对申请住房救助的，由区房屋管理部门审核、确认。", 0.4)
    checks = gate(FakeVocabulary([ways.text, office.text]))
    both = "上海的低保家庭住房困难 住房救助有哪些方式 由哪个部门审核"
    assert checks.check(both, analyse(both), [ways, office]).candidates[0] is ways
    alone = "上海的住房救助由哪个部门审核"
    assert checks.check(alone, analyse(alone), [ways, office]).candidates == [office]


def test_a_question_of_its_own_asking_first_who_qualifies_is_searched_with_conditions_named() -> None:
    assert searched_as("我在这边租房住了八个月了 能办居住证吗") == "我在这边租房住了八个月了 能办居住证吗 条件"
    assert searched_as("办居住证需要什么条件") == "办居住证需要什么条件 条件"
    assert searched_as("办居住证要带什么材料") == "办居住证要带什么材料"
    # whether money may be taken out: the cases are stated as 有下列情形之一的，可以提取 (公积金租房能取吗 had found the
    # article on the loan, 第二十六条, and not 第二十四条 in the first five)
    assert searched_as("公积金租房能取吗") == "公积金租房能取吗 下列情形之一的 可以提取"
    # asked second, as the gate reads it: 不是啥单位的 asks first
    said = "我就是个普通老百姓 不是啥单位的 有没有资格申请政府信息公开"
    assert searched_as(said) == said
    followup = f"怎么申请办理居住证{FOLLOWUP_SEPARATOR}有什么条件"  # searched under its topic, as before
    assert searched_as(followup) == followup


def test_asked_whether_something_goes_on_the_statutes_words_for_it_are_searched_too() -> None:
    assert searched_as("我在领失业金呢 找到工作了 还能接着领吗") == "我在领失业金呢 找到工作了 还能接着领吗 停止"
    # what is left of an earlier spell is merged with the new one's, not stopped (上回没领完的还能接着领不 had found
    # 社会保险法 第五十一条, when payment stops, over 第四十六条's 合并计算)
    left = "前年领了五个月失业金就找着活了 今年又失业了 上回没领完的还能接着领不"
    assert searched_as(left) == f"{left} 合并计算"
    followup = f"失业金能领多久{FOLLOWUP_SEPARATOR}上次剩下那几个月还能接着领吗"
    assert searched_as(followup) == f"{followup} 合并计算"
    # what is left of the present spell stops or goes on
    army = "我领失业金才两个月 要去当兵了 剩下的还给不给"
    assert searched_as(army) == f"{army} 停止"


def test_asked_when_a_named_payment_stops_the_article_naming_it_is_taken() -> None:
    """伤残津贴什么时候停 had quoted 第三十三条's 停发原待遇 (the wage before grading), first in relevance."""
    wage = hit("工伤保险条例", "第三十三条", "第三十三条 工伤职工评定伤残等级后，停发原待遇，按照本章的有关规定享受伤残待遇。", 0.7)
    allowance = hit("工伤保险条例", "第三十五条", "第三十五条 …(三)工伤职工达到退休年龄并办理退休手续后，停发伤残津贴。", 0.3)
    checks = gate(FakeVocabulary([wage.text, allowance.text]))
    question = "伤残津贴什么时候停"
    assert checks.check(question, analyse(question), [wage, allowance]).candidates == [allowance]
    assert checks.check(question, analyse(question), [wage]).candidates == [wage]  # none names it: as found


def test_asked_how_long_something_stays_valid_only_an_article_stating_a_length_answers() -> None:
    """社保卡有效期是多久 had quoted 社会保险经办条例 第六条 (the card issued within 10 working days)."""
    issued = hit("社会保险经办条例", "第六条", "第六条 社会保险经办机构应当自收到申请之日起10个工作日内办理完毕。", 0.8)
    checks = gate(FakeVocabulary([issued.text]))
    question = "社保卡有效期是多久"
    assert checks.check(question, analyse(question), [issued]).refusal == "no passage left"
    valid = hit("居民身份证法", "第五条", "第五条 十六周岁以上公民的居民身份证的有效期为十年、二十年、长期。", 0.3)
    asked_id = "身份证能管几年"
    assert checks.check(asked_id, analyse(asked_id), [issued, valid]).candidates == [valid]


def test_a_question_of_its_own_asking_whether_something_goes_on_is_searched_with_stopping_named() -> None:
    assert searched_as("我在领失业金呢 上礼拜有个厂子要我了 那失业金还能接着领吗") == (
        "我在领失业金呢 上礼拜有个厂子要我了 那失业金还能接着领吗 停止"
    )
    assert searched_as("失业金还能领多久") == "失业金还能领多久"
    followup = f"失业金怎么领{FOLLOWUP_SEPARATOR}找到工作了还能接着领吗"  # …and so is a follow-up asking it
    assert searched_as(followup) == f"{followup} 停止"


def test_a_question_of_its_own_asking_how_long_the_office_takes_is_searched_with_what_the_period_runs_from() -> None:
    assert searched_as("办居住证要用多长时间") == "办居住证要用多长时间 自受理之日起"
    assert searched_as("办居住证要带什么材料") == "办居住证要带什么材料"


def test_a_question_of_its_own_asking_whether_someone_else_may_do_it_is_searched_with_the_statutes_words() -> None:
    assert searched_as("俺娘七十多了腿脚不利索 俺能替她去办居住证吗") == "俺娘七十多了腿脚不利索 俺能替她去办居住证吗 代为申请 委托"
    assert searched_as("身份证丢了怎么补办") == "身份证丢了怎么补办"
    followup = f"怎么申请办理居住证{FOLLOWUP_SEPARATOR}可以找人代办吗"
    assert searched_as(followup) == followup


def test_a_follow_up_is_answered_by_the_first_passage_speaking_to_the_manner_it_asks() -> None:
    """离婚登记要什么材料 / 要亲自去吗 had found the article on examining the documents first and was refused."""
    examined = hit("婚姻登记条例", "第十三条", "第十三条 婚姻登记机关应当对离婚登记当事人出具的证件、证明材料进行审查并询问相关情况。", 0.8)
    together = hit(
        "婚姻登记条例", "第十条", "第十条 内地居民自愿离婚的，男女双方应当共同到一方当事人常住户口所在地的婚姻登记机关办理离婚登记。", 0.3
    )
    checks = gate(FakeVocabulary([examined.text, together.text]))
    followup = f"离婚登记要什么材料{FOLLOWUP_SEPARATOR}要亲自去吗"
    assert checks.check(followup, analyse("要亲自去吗"), [examined, together]).candidates[0] is together
    # none speaking to it: as found, for the answerer to refuse
    assert checks.check(followup, analyse("要亲自去吗"), [examined]).candidates == [examined]
    # a question of its own keeps the first passage found
    own = "离婚登记要亲自去吗"
    assert checks.check(own, analyse(own), [examined, together]).candidates[0] is examined


def test_a_bare_how_to_question_judges_the_applicants_article_by_the_relevance_of_its_law() -> None:
    """结婚证怎么办 found the article on what the office examines first; the applicant's article of the same law is
    judged with that relevance, not its own low one. Another law's applicant article keeps its own."""
    office = hit("婚姻登记条例", "第七条", "第七条 婚姻登记机关应当对结婚登记当事人出具的证件、证明材料进行审查并询问相关情况。", 0.68, 0.7)
    applicant = hit("婚姻登记条例", "第五条", "第五条 办理结婚登记的内地居民应当出具下列证件和证明材料：本人的户口簿、身份证", 0.12, 0.6)
    elsewhere = hit("居住证暂行条例", "第九条", RESIDENCE_9.text, 0.12, 0.6)
    lent = with_the_laws_relevance([office, applicant], [applicant])
    assert lent[0].article == "第五条" and lent[0].score == 0.68 and lent[0].vector_score == 0.7
    assert with_the_laws_relevance([office, elsewhere], [elsewhere]) == [elsewhere]
    assert with_the_laws_relevance([applicant], [applicant]) == [applicant]
    question = "怎么申请办理结婚证"
    checks = gate(FakeVocabulary(["结婚证", "结婚登记"]), min_relevance=0.1)
    checked = checks.check(question, analyse(question), [office, applicant])
    assert checked.refusal is None and checked.candidates[0].article == "第五条"


def test_where_one_goes_asked_of_something_named_judges_whom_one_applies_to_by_the_relevance_of_its_law() -> None:
    """护照去哪里办 found 护照法 第四条 (who issues a passport) first and 第五条 (whom one applies to) at 0.12: the
    filter's choice is judged with the relevance of the law found. Asked of an office alone (去哪个部门申请), the law
    found is any law naming one, and its article keeps its own relevance."""
    issuer = hit("护照法", "第四条", "第四条 普通护照由公安部出入境管理机构或者公安部委托的县级以上地方人民政府公安机关出入境管理机构签发。", 0.71, 0.8)
    applies = hit("护照法", "第五条", "第五条 公民因前往外国定居、探亲、学习、就业、旅行等非公务原因出国的，由本人向户籍所在地的县级以上地方人民政府公安机关出入境管理机构申请普通护照。", 0.12, 0.6)  # noqa: E501
    checks = gate(FakeVocabulary(["护照", "部门"]), min_relevance=0.1)
    question = "护照去哪里办"
    checked = checks.check(question, analyse(question), [issuer, applies])
    assert checked.refusal is None
    assert checked.candidates[0].article == "第五条" and checked.candidates[0].score == 0.71
    aid = hit("社会救助暂行办法", "第六十条", "第六十条 申请人难以确定社会救助管理部门的，可以先向社会救助经办机构或者县级人民政府民政部门求助。", 0.6, 0.5)
    medical = hit("社会救助暂行办法", "第三十条", "第三十条 申请医疗救助的，应当向乡镇人民政府、街道办事处提出，经审核、公示后，由县级人民政府医疗保障部门审批。", 0.07, 0.5)  # noqa: E501
    question = "去哪个部门申请"
    checked = checks.check(question, analyse(question), [aid, medical])
    assert checked.candidates[0].article == "第三十条" and checked.candidates[0].score == 0.07
    assert checked.refusal is not None
