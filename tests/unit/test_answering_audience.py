"""Documents written for one group are not quoted to a question about someone else (answering/audience.py)."""

from __future__ import annotations

from answering import Answerer
from answering.audience import addressed, region_of, written_for
from core.config import KioskConfig
from tests.unit.answering_fakes import FakeKnowledgeBase, ScriptedChatModel, hit

ANSWERING = KioskConfig().answering
AUDIENCES = ANSWERING.audiences
NO_ARTICLE_GROUPS = ANSWERING.model_copy(update={"article_audiences": {}})
SOLDIER_36 = hit("退役军人安置条例", "第三十六条", "第三十六条 中级以上军士退出现役，符合下列条件之一的，作退休安置：（一）退出现役时年满55周岁的；", 0.9)
PENSION_16 = hit("中华人民共和国社会保险法", "第十六条", "第十六条 参加基本养老保险的个人，达到法定退休年龄时累计缴费满十五年的，按月领取基本养老金。", 0.4)
DISABLED_19 = hit("残疾人就业条例", "第十九条", "第十九条 国家鼓励扶持残疾人自主择业、自主创业。", 0.8)


def test_a_documents_group_is_read_from_its_title() -> None:
    assert written_for(SOLDIER_36, AUDIENCES) == "退役军人"
    assert written_for(DISABLED_19, AUDIENCES) == "残疾人"
    assert written_for(PENSION_16, AUDIENCES) is None


def test_a_group_document_answers_only_a_question_that_names_the_group() -> None:
    hits = [SOLDIER_36, PENSION_16]
    assert addressed(hits, "退休年龄是多少", ANSWERING) == [PENSION_16]
    assert addressed(hits, "我当了十二年兵 退伍后能按退休安置吗", ANSWERING) == hits
    assert addressed(hits, "退役军人退休安置的条件", ANSWERING) == hits  # the group's own name counts
    assert addressed([DISABLED_19], "我家是低保户 想摆个摊 有没有扶持", ANSWERING) == []
    assert addressed([DISABLED_19], "我腿有残疾 想自己开个店 有扶持吗", ANSWERING) == [DISABLED_19]
    elderly = hit("中华人民共和国老年人权益保障法", "第二十九条", "第二十九条 有关部门制定医疗保险办法，应当对老年人给予照顾。", 0.7)
    assert addressed([elderly], "我们家吃低保 交医保和看病有没有什么照顾", ANSWERING) == []
    for question in ("我爸七十多了 看病有照顾吗", "老人看病有没有优待", "儿子不管我 也不给生活费 我该咋办",
                     "我大姨七十好几了 没儿没女 也没啥收入 政府能不能管"):  # an age said without 岁
        assert addressed([elderly], question, ANSWERING) == [elderly], question
    no_groups = ANSWERING.model_copy(update={"audiences": {}})
    assert addressed([SOLDIER_36], "退休年龄是多少", no_groups) == [SOLDIER_36]  # an empty table turns it off


SHANGHAI_13 = hit("上海市社会救助条例", "第十三条", "第十三条 特困人员，是指无劳动能力、无生活来源…的本市户籍老年人、残疾人以及未成年人。", 0.7)
NATIONAL_14 = hit("社会救助暂行办法", "第十四条", "第十四条 国家对无劳动能力、无生活来源且无法定赡养、抚养、扶养义务人…的老年人、残疾人以及未满16周岁的未成年人，给予特困人员供养。", 0.5)


def test_a_local_regulation_answers_its_region_or_a_hall_there() -> None:
    assert region_of(SHANGHAI_13) == "上海"
    assert region_of(NATIONAL_14) is None
    for title in ("城市居民最低生活保障条例", "市场主体登记管理条例实施细则"):  # 城市, 市场: no region
        assert region_of(hit(title, "第一条", "第一条 …", 0.5)) is None
    hits = [SHANGHAI_13, NATIONAL_14]
    assert addressed(hits, "什么样的人能算特困人员", ANSWERING) == [NATIONAL_14]
    assert addressed(hits, "上海的特困人员是怎么认定的", ANSWERING) == hits
    in_shanghai = ANSWERING.model_copy(update={"hall_region": "上海"})
    assert addressed(hits, "什么样的人能算特困人员", in_shanghai) == hits


def _answerer(hits: list, **answering: object) -> Answerer:
    config = KioskConfig()
    config.answering.answerable_threshold = 0.0
    config.answering.style = "quote"
    for key, value in answering.items():
        setattr(config.answering, key, value)
    return Answerer(FakeKnowledgeBase(hits), ScriptedChatModel(["不该被调用。"]), config)


async def test_the_veterans_retirement_rule_is_not_quoted_for_the_retirement_age() -> None:
    answer = await _answerer([SOLDIER_36]).answer("退休年龄是多少")
    assert answer.refused and answer.citations == [] and "55" not in answer.spoken
    assert answer.hits == [SOLDIER_36]  # kept on the record for the unanswered queue


async def test_the_next_passage_for_everyone_is_judged_instead() -> None:
    answer = await _answerer([SOLDIER_36, PENSION_16]).answer("退休以后养老金怎么领")
    assert not answer.refused and [c.article for c in answer.citations] == ["第十六条"]
    answer = await _answerer([SOLDIER_36, PENSION_16]).answer("我当兵二十年了 退下来能作退休安置吗")
    assert [c.article for c in answer.citations][:1] == ["第三十六条"]


async def test_the_passage_left_after_the_groups_is_not_quoted_when_it_is_far_off() -> None:
    disabled_veteran = hit("退役军人安置条例", "第七十一条", "第七十一条 服现役期间因战、因公、因病致残被评定残疾等级的残疾退役军人，有劳动能力和就业意愿的，优先享受国家规定的残疾人就业优惠政策。", 0.78)
    insurance = hit("中华人民共和国残疾人保障法", "第四十七条", "第四十七条 残疾人及其所在单位应当按照国家有关规定参加社会保险。", 0.03)
    answer = await _answerer([disabled_veteran, insurance]).answer("残疾人可以提前退休吗")
    assert answer.refused and answer.citations == []
    # the floor is the configured one: at 0 the same passage would be quoted
    answer = await _answerer([disabled_veteran, insurance], min_relevance=0.0).answer("残疾人可以提前退休吗")
    assert [c.article for c in answer.citations] == ["第四十七条"]


LOST_ABROAD = hit("中华人民共和国护照法", "第二十三条", "第二十三条 短期出国的公民在国外发生护照遗失、被盗或者损毁不能使用等情形，应当向中华人民共和国驻外使馆申请中华人民共和国旅行证。", 0.9)
REISSUE = hit("中华人民共和国护照法", "第十一条", "第十一条 有下列情形之一的，护照持有人可以按照规定申请换发或者补发护照：（四）护照遗失或者被盗的；", 0.6)
FOREIGN_30 = hit("中华人民共和国出境入境管理法", "第三十条", "第三十条 外国人所持居留证件需要延长居留期限的，应当在居留证件有效期限届满三十日前提出申请。", 0.8)


def test_an_article_that_opens_with_a_group_or_place_answers_only_a_question_that_names_it() -> None:
    def kept(hits: list, question: str) -> list:
        return addressed(hits, question, ANSWERING)

    assert kept([LOST_ABROAD, REISSUE], "护照丢了怎么办") == [REISSUE]
    assert kept([LOST_ABROAD, REISSUE], "在国外旅游护照被偷了 咋回国") == [LOST_ABROAD, REISSUE]
    assert kept([FOREIGN_30], "去台湾旅游要办什么证") == []
    assert kept([FOREIGN_30], "我老公是外国人 他的居留证明年到期 续签要提前多久") == [FOREIGN_30]
    # a foreign country named names a foreigner and abroad; 内蒙古 and 朝鲜族 are at home
    assert kept([FOREIGN_30], "我老婆是俄罗斯人 她的居留证明年到期 续签要提前多久") == [FOREIGN_30]
    assert kept([LOST_ABROAD, REISSUE], "我跟团在泰国玩 护照让人偷了 这可咋办") == [LOST_ABROAD, REISSUE]
    assert kept([FOREIGN_30], "我是内蒙古来的朝鲜族 居留证要提前多久续") == []
    # a group named further into the article does not count, and an empty table turns it off
    late = hit("中华人民共和国出境入境管理法", "第九条", "第九条 中国公民出境入境，应当依法申请办理护照或者其他旅行证件。中国公民前往其他国家或者地区，还需要取得前往国签证或者其他入境许可证明，外国人除外。")
    assert kept([late], "出境要办什么证件") == [late]
    assert addressed([LOST_ABROAD], "护照丢了怎么办", NO_ARTICLE_GROUPS) == [LOST_ABROAD]


def test_the_embassy_marriage_rule_is_not_quoted_to_someone_from_another_city() -> None:
    embassy = hit("婚姻登记条例", "第十九条", "第十九条 中华人民共和国驻外使(领)馆可以依照本条例的有关规定，为男女双方均居住于驻在国的中国公民办理婚姻登记。")
    kept = lambda question: addressed([embassy], question, ANSWERING)  # noqa: E731
    assert kept("人在外地 能在这边办结婚登记吗") == []  # 在外地 is at home
    assert kept("我们俩都在国外定居 能在大使馆登记结婚吗") == [embassy]


def test_the_rule_for_a_foreign_baby_born_in_china_is_not_the_rule_for_a_child_born_abroad() -> None:
    baby = hit("中华人民共和国出境入境管理法", "第四十条", "第四十条 在中国境内出生的外国婴儿，其父母或者代理人应当在婴儿出生六十日内，持该婴儿的出生证明到父母停留居留地县级以上地方人民政府公安机关出入境管理机构为其办理停留或者居留登记。")
    assert addressed([baby], "我在国外出生的孩子怎么上户口", ANSWERING) == []
    assert addressed([baby], "孩子在国内出生 跟他爸一样是外国籍 要去哪给孩子登记", ANSWERING) == [baby]


def test_the_rule_for_compatriots_settling_from_hong_kong_macao_or_taiwan_is_not_the_rule_for_everyone() -> None:
    settling = hit("中华人民共和国居民身份证法", "第九条", "第九条 香港同胞、澳门同胞、台湾同胞迁入内地定居的，华侨回国定居的，以及外国人、无国籍人在中华人民共和国境内定居并被批准加入或者恢复中华人民共和国国籍的，在办理常住户口登记时，应当依照本法规定申请领取居民身份证。")
    kept = lambda question: addressed([settling], question, ANSWERING)  # noqa: E731
    assert kept("外地人能在这里办身份证吗") == []
    assert kept("台湾同胞来大陆定居 身份证怎么办") == [settling]
    assert kept("华侨回国定居了 能办身份证吗") == [settling]
