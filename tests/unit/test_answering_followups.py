"""The previous question asked of another thing (护照呢), and corrections (不是，我问的是护照)."""

from __future__ import annotations

from answering.followups import (
    AskedOfAnother,
    asked_of_another,
    is_followup,
    referred_question,
    retrieval_query,
    speaks_to,
    unanswered_aspect,
    who_qualifies,
)
from answering.manners import asked_manner, brought_documents, manner_stated, speaks_to_manner
from core.models import ChatMessage


def asked(*questions: str) -> list[ChatMessage]:
    return [m for q in questions for m in (ChatMessage("user", q), ChatMessage("assistant", "……"))]


def test_another_thing_takes_the_place_of_the_previous_questions_topic() -> None:
    history = asked("办居住证要带什么材料")
    expected = AskedOfAnother("办护照要带什么材料", ("护照",))
    for turn in ("护照呢", "那护照呢？", "不是，我问的是护照", "我说的是护照", "不对 我想问的是护照"):
        assert asked_of_another(turn, history, 3) == expected, turn


def test_a_followup_without_a_topic_gets_the_thing_in_front() -> None:
    found = asked_of_another("港澳通行证呢", asked("办护照要什么材料", "多久能拿到"), 3)
    assert found is not None and found.question == "港澳通行证 多久能拿到"
    assert set(found.things) == {"港澳", "通行证"}


def test_a_correction_that_is_a_whole_question_is_that_question() -> None:
    found = asked_of_another("不是，我问的是护照要多久", asked("办居住证要带什么材料"), 3)
    assert found == AskedOfAnother("护照要多久", ())


def test_turns_that_name_nothing_new_are_left_to_the_followup_rules() -> None:
    assert asked_of_another("那户口呢", asked("户口迁移要带什么"), 3) is None  # 户口 was named already
    assert asked_of_another("领完了呢", asked("失业金能领多久"), 3) is None  # names no thing
    assert asked_of_another("护照呢", [], 3) is None  # nothing to ask it of
    assert asked_of_another("护照要带什么材料", asked("办居住证要带什么材料"), 3) is None
    assert is_followup("领完了呢", asked("失业金能领多久"))
    # 登记 alone names no service: 去登记要收费吗 after 失业金怎么领 had been searched alone and quoted 婚姻登记条例's fee
    assert is_followup("去登记要收费吗", asked("失业金怎么领"))
    assert not is_followup("结婚登记要收费吗", asked("失业金怎么领"))


def test_the_replaced_topic_leaves_no_doubled_character() -> None:
    found = asked_of_another("那养老金呢", asked("失业金怎么领"), 3)  # jieba reads 失业|金
    assert found == AskedOfAnother("养老金怎么领", ("养老金",))


def test_another_thing_asked_after_how_to_do_a_topics_own_service_asks_how_to_get_it() -> None:
    # 护照怎么提取 had quoted 护照法 第十五条 (扣押护照); 孩子出生了怎么上护照 and 退休了护照怎么领 were refused
    for earlier in ("公积金怎么提取", "医保怎么报销", "孩子出生了怎么上户口", "退休了养老金怎么领"):
        assert asked_of_another("那护照呢", asked(earlier), 3) == AskedOfAnother("护照怎么办理", ("护照",)), earlier
    # a verb that fits any certificate, with nothing said before the topic, carries over
    assert asked_of_another("那护照呢", asked("身份证丢了怎么补办"), 3) == AskedOfAnother("护照丢了怎么补办", ("护照",))
    assert asked_of_another("那护照呢", asked("低保怎么申请"), 3) == AskedOfAnother("护照怎么申请", ("护照",))


def test_another_thing_after_a_manner_asks_that_manner_of_it_and_a_thing_asked_of_before_is_new_again() -> None:
    # 能加急吗 names no topic of its own: not 能护照吗
    found = asked_of_another("那护照呢", asked("身份证丢了怎么补办", "能加急吗"), 3)
    assert found == AskedOfAnother("护照 能加急吗", ("护照",))
    # 护照 was asked about before another topic was named; the turn is about it again, not about 公积金
    found = asked_of_another("那护照呢", asked("护照怎么办", "公积金怎么提取"), 3)
    assert found == AskedOfAnother("护照怎么办理", ("护照",))
    assert asked_of_another("那户口呢", asked("户口迁移怎么办", "要多久"), 3) is None  # the same thread named it


def test_a_thing_of_one_character_is_another_thing_but_the_fee_is_the_same_question() -> None:
    # 税 is no topic word by jieba's weights; searched as the earlier question it found the 居住证 fee article
    assert asked_of_another("那税呢", asked("居住证在哪办"), 3) == AskedOfAnother("税在哪办", ("税",))
    assert asked_of_another("那钱呢", asked("办护照要什么材料"), 3) is None  # 钱 asks the passport's fee
    assert asked_of_another("那证呢", asked("办居住证要带什么材料"), 3) is None  # named already


def test_a_place_or_a_group_narrows_the_earlier_topic_which_the_answer_must_still_name() -> None:
    found = asked_of_another("孩子户口呢", asked("户口迁移怎么办"), 3)
    assert found == AskedOfAnother("孩子户口 户口迁移怎么办", ("户口",))
    assert asked_of_another("外地人呢", asked("居住证怎么办"), 3) == AskedOfAnother("外地人 居住证怎么办", ("居住证",))
    assert asked_of_another("我问的是上海的", asked("低保怎么申请"), 3) == AskedOfAnother("上海的 低保怎么申请", ("低保",))


def test_a_correction_naming_no_thing_is_put_in_front_of_the_earlier_question() -> None:
    found = asked_of_another("不是，我问的是再婚", asked("结婚登记要带什么"), 3)
    assert found == AskedOfAnother("再婚 结婚登记要带什么", ())
    # 离婚 is a service of its own (离婚登记): it takes the earlier topic's place
    found = asked_of_another("不是，我问的是离婚", asked("结婚登记要带什么"), 3)
    assert found == AskedOfAnother("离婚要带什么", ("离婚",))


def test_a_whole_question_ending_in_ne_is_its_own_question() -> None:
    history = asked("身份证丢了怎么补")
    for turn in ("那办居住证要带什么材料呢", "我想问一下低保怎么申请呢", "那外地户口的人能办居住证吗呢"):
        assert asked_of_another(turn, history, 3) is None, turn
    assert asked_of_another("我想知道养老金呢", history, 3) == AskedOfAnother("养老金丢了怎么补", ("养老金",))


def test_any_utterance_after_any_history_is_read_without_error() -> None:
    """Careless and hostile turns: pronouns, 呢 and corrections around numbers, emoji, cue words and nothing."""
    import random

    from answering.followups import referred_question, retrieval_query

    parts = ["那", "呢", "不是，", "我问的是", "我说的是", "护照", "居住证", "失业|金", "外地人", "上海", "要多久",
             "带什么", "？", "，", " ", "😊", "13812345678", "吗", "怎么办", "的", "A", "\n", "他", "这个", "再说一遍",
             "能", "可以吗", "外地户口", "农民工", "在这里也能领", "找人代办", "网上", "不去办会罚款", "去哪个部门"]
    rng = random.Random(7)
    for _ in range(400):
        question = "".join(rng.choice(parts) for _ in range(rng.randint(0, 6)))
        history = asked(*["".join(rng.choice(parts) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 4))])
        found = asked_of_another(question, history, 3)
        assert found is None or (isinstance(found.question, str) and found.question.strip()), question
        referred = referred_question(question, history, 3)
        assert referred is None or referred in [m.content for m in history]
        assert isinstance(retrieval_query(question, history, 3), str)
        assert all(word and word in question for word in who_qualifies(question)), question
        aspect = unanswered_aspect(question, "第七条 由户主、亲属向户口登记机关申报。")
        allowed = (None, "费用", "网上办理", "过期", "不办的后果", "办理时限")
        assert aspect in allowed or aspect.startswith("whether"), question


def test_an_age_said_in_chinese_numerals_is_searched_as_an_age() -> None:
    from answering.followups import retrieval_query
    from knowledge_base.question import analyse
    from knowledge_base.search_queries import ages_in_digits

    assert ages_in_digits("我今年三十二 换的新身份证能管几年") == "我今年32岁 换的新身份证能管几年"
    assert ages_in_digits("孩子才十岁 能办护照吗") == "孩子才10岁 能办护照吗"
    assert ages_in_digits("我爸七十五岁了") == "我爸75岁了"
    for not_an_age in ("今年十一月份能办吗", "已经三年了", "都十点了还能办吗"):
        assert ages_in_digits(not_an_age) == not_an_age
    query = retrieval_query("我今年三十二 换的新身份证能管几年", [], 3)
    assert "32岁" in query and "三十二" not in [w for w, _ in analyse(query).subject]


def test_a_follow_up_leans_on_the_last_question_that_names_something_of_its_own() -> None:
    from answering.followups import referred_question

    # 殡葬 is tagged a verb and is no statute's everyday name, but it is the topic the citizen moved on to
    history = asked("护照过期了怎么换", "殡葬的事归哪个部门管")
    assert referred_question("那要交钱吗", history, 3) == "殡葬的事归哪个部门管"
    # a longer question with no topic of its own, or one that names only the citizen's situation, leans on the one
    # before it
    assert referred_question("收费吗", asked("居住证怎么办", "那一个人每月能领多少"), 3) == "居住证怎么办"
    assert referred_question("那我让孩子来替我办行吗", asked("办护照要多久", "我眼睛不好看不清"), 3) == "办护照要多久"


def test_asking_whether_someone_qualifies_leans_on_the_previous_question_however_long() -> None:
    history = asked("孩子几岁上小学")
    for turn in ("外地户口能在这上吗", "外地人在这里也能上吗", "我们是农村户口 可以吗"):
        assert is_followup(turn, history), turn
    # a service named with who asks, or what happened to them, is a question of its own
    assert not is_followup("我家老人走了 能领吗", asked("护照怎么办"))
    for turn in ("外地户口能办居住证吗", "农村户口能交城镇职工养老保险吗"):
        assert not is_followup(turn, history), turn

    # 农民工 is who asks, and whether they qualify is searched under the earlier topic, not how to apply for it
    history = asked("失业金怎么领")
    assert is_followup("我是农民工 能领吗", history)
    query = retrieval_query("我是农民工 能领吗", history, 3)
    assert query.startswith("失业金") and "申请" not in query.split("\n")[0], query
    assert "申请" in retrieval_query("要多久", history, 3).split("\n")[0]  # how long applying takes, as before


def test_a_turn_naming_only_who_asks_is_no_topic_a_later_follow_up_leans_on() -> None:
    history = asked("结婚登记要带什么", "对方是外国人呢")
    assert referred_question("多久能办好", history, 3) == "结婚登记要带什么"
    history = asked("结婚登记要带什么", "外国人离婚登记要带什么材料")  # a topic of its own, with who asks, still counts
    assert referred_question("多久能办好", history, 3) == "外国人离婚登记要带什么材料"


def test_whether_someone_qualifies_is_answered_only_by_a_passage_that_speaks_to_them() -> None:
    assert who_qualifies("外地户口能在这上吗") == ("外地户口",)
    assert set(who_qualifies("我是农民工 能领吗")) == {"农民工"}
    assert who_qualifies("我家老人走了 能领吗") == () and who_qualifies("失业金能领多久") == ()
    # names them, in the statutes' words, or says where one is registered
    assert speaks_to("单位招用的农民合同制工人连续工作满1年…对其支付一次性生活补助", ("农民工",))
    assert speaks_to("应当共同到一方当事人常住户口所在地的婚姻登记机关办理结婚登记", ("外地人",))
    assert not speaks_to("失业人员在领取失业保险金期间有下列情形之一的，停止领取失业保险金：（一）重新就业的", ("外地人",))


ID_CARD_11 = ("第十一条 国家决定换发新一代居民身份证、居民身份证有效期满、公民姓名变更或者证件严重损坏不能辨认的，公民应当换领新证；"
              "居民身份证登记项目出现错误的，公安机关应当及时更正，换发新证；领取新证时，必须交回原证。居民身份证丢失的，应当申请补领。"
              "公民办理常住户口迁移手续时，公安机关应当在居民身份证的机读项目中记载公民常住户口所在地住址变动的情况，并告知本人。")
BIRTH_7 = "第七条 婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。"
MARRIAGE_2 = "第二条 内地居民办理婚姻登记的机关是县级人民政府民政部门或者乡(镇)人民政府。"
PASSPORT_6 = ("第六条 公民申请普通护照，应当提交本人的居民身份证、户口簿、近期免冠照片以及申请事由的相关材料。"
              "公民因合理紧急事由请求加急办理的，公安机关出入境管理机构应当及时办理。经护照签发机关负责人批准，签发时间可以延长。")
RESIDENCE_10 = "第十条 居住证持有人…应当在居住每满1年之日前1个月内办理签注手续。逾期未办理签注手续的，居住证使用功能中止。"


def test_a_follow_up_asking_how_a_service_is_done_is_answered_only_by_a_passage_that_says_so() -> None:
    assert asked_manner("可以找人代办吗") == "代办" and asked_manner("能让家里人帮我办吗") == "代办"
    assert asked_manner("需要本人到场吗") == "本人到场" and asked_manner("手机上能办吗") == "网上办理"
    assert asked_manner("去哪个部门办") == "办理地点" and asked_manner("不办会怎样") == "不办的后果"
    assert asked_manner("没按时去会怎样") == "不办的后果" and asked_manner("要交钱吗") is None
    # forgetting is not doing: 忘了签注会怎么样 after 居住证怎么办 leans on it (签注 alone had been read as a new topic)
    assert asked_manner("忘了签注会怎么样") == "不办的后果" and asked_manner("忘记去换会有什么后果") == "不办的后果"
    assert is_followup("忘了签注会怎么样", asked("居住证怎么办"))
    # 居民身份证丢失的，应当申请补领 says nothing of who, how or where; its 常住户口所在地 is no place to apply
    for turn in ("可以找人代办吗", "需要本人到场吗", "网上能办吗", "不办会怎样", "去哪个部门办"):
        assert unanswered_aspect(turn, ID_CARD_11) is not None, turn
    # who declares a birth answers both who may go and whether one must go oneself; a registry named answers where
    for turn in ("可以找人代办吗", "需要本人到场吗", "去哪个部门办"):
        assert unanswered_aspect(turn, BIRTH_7) is None, turn
    assert unanswered_aspect("要交钱吗", BIRTH_7) == "费用"
    assert unanswered_aspect("找谁办", MARRIAGE_2) is None
    # 事由请求加急办理 names no one who applies, and 负责人批准 no office to apply at
    assert unanswered_aspect("可以委托别人吗", PASSPORT_6) == "代办"
    assert unanswered_aspect("去哪个部门办", PASSPORT_6) == "办理地点"
    assert unanswered_aspect("不办有什么后果", RESIDENCE_10) is None
    # asked two things, it is answered when the passage answers one (歇多久 is a period)
    assert unanswered_aspect("那最长能歇多久 到期了不管它会咋样", "第三十条 歇业的期限最长不得超过3年。") is None


def test_a_question_naming_its_topic_is_checked_for_who_acts_in_person_or_online_only() -> None:
    assert unanswered_aspect("身份证丢了可以找人代办吗", ID_CARD_11, followup=False) == "代办"
    office = "第七条 不动产登记由不动产所在地的县级人民政府不动产登记机构办理。"  # names who handles it, not who applies
    assert unanswered_aspect("不动产登记可以找人代办吗", office, followup=False) == "代办"
    assert unanswered_aspect("离婚登记可以一个人去办吗", "第十条 男女双方应当共同到婚姻登记机关办理离婚登记。", followup=False) is None
    # family named as such is no agent, 给别人 gives something away, and 后果 or a fee may be about anything asked
    assert asked_manner("家人去世了丧葬费怎么领") is None and asked_manner("拿到手的许可证能转给别人用吗") is None
    for question in ("骗取低保有什么后果", "补办身份证要交钱吗"):
        assert unanswered_aspect(question, "第十四条 以欺骗手段获取最低生活保障待遇的，停止发放。", followup=False) is None


def test_whether_to_bring_a_document_is_answered_only_by_a_passage_that_names_it() -> None:
    assert brought_documents("要带户口本和身份证吗") == ("户口本", "身份证")
    assert brought_documents("身份证要带吗") == ("身份证",) and brought_documents("需要开证明吗") == ("证明",)
    for not_a_document in ("要带什么材料", "那交上去以后多久能拿到证", "需要办证吗", "要多久"):
        assert brought_documents(not_a_document) == (), not_a_document
    history = asked("结婚登记要带什么")
    assert is_followup("要带户口本吗", history)  # 户口本 names a topic, but the turn asks what to bring for the last one
    marriage = "第五条 办理结婚登记的内地居民应当出具下列证件和证明材料：本人的户口簿、身份证。"
    assert unanswered_aspect("要带户口本和身份证吗", marriage) is None  # 户口本 is the statutes' 户口簿
    assert unanswered_aspect("要带照片吗", marriage) == "whether to bring 照片"
    assert unanswered_aspect("要带照片吗", "第九条 申领居住证，应当提交本人居民身份证、本人相片。") is None


def test_an_office_acting_for_another_is_no_proxy_and_applying_oneself_is_not_coming_in_person() -> None:
    residence = "第九条 申领居住证，应当向居住地公安派出所或者受公安机关委托的社区服务机构提交本人居民身份证、本人相片。"
    assert unanswered_aspect("能让家里人代办吗", residence) == "代办"
    assert unanswered_aspect("能让家里人代办吗", "第十一条 家庭成员申请有困难的，可以委托村民委员会代为提出申请。") is None
    fund = "第二十五条 职工应当持提取证明向住房公积金管理中心申请提取住房公积金。准予提取的，由受委托银行办理支付手续。"
    assert unanswered_aspect("需要本人到场吗", fund) == "本人到场"
    assert unanswered_aspect("能上门办吗", fund) == "上门"
    # what 除了…还 puts aside is told, not asked: the documents are
    assert unanswered_aspect("除了人到场还得揣上啥证件", fund) is None
    assert unanswered_aspect("除了带证件 还要本人到场吗", fund) == "本人到场"
    assert asked_manner("除了人到场还得揣上啥证件") is None and asked_manner("除了带证件 还要本人到场吗") == "本人到场"
    destitute = "第十六条 申请特困人员供养，由本人向户籍所在地的乡镇人民政府、街道办事处提出书面申请。"
    assert unanswered_aspect("需要本人去吗", destitute) is None and unanswered_aspect("可以网上申请吗", destitute) == "网上办理"


def test_faster_by_post_elsewhere_and_how_long_it_lasts_need_a_passage_that_says_so() -> None:
    passport_6 = "第六条 公民因合理紧急事由请求加急办理的，公安机关出入境管理机构应当及时办理。"
    passport_5 = "第五条 由本人向户籍所在地的县级以上地方人民政府公安机关出入境管理机构申请普通护照。"
    residence_9 = "第九条 对符合居住证办理条件的，公安机关应当自受理之日起15日内制作发放居住证。"
    assert asked_manner("能加急吗") == "加急" and unanswered_aspect("能加急吗", passport_6) is None
    assert unanswered_aspect("可以异地办吗", ID_CARD_11) == "异地办理"  # its 常住户口所在地 is no office to apply at
    assert unanswered_aspect("能加急吗", residence_9) == "加急"
    assert unanswered_aspect("能邮寄吗", residence_9) == "邮寄"
    assert unanswered_aspect("可以异地办吗", passport_5) is None and unanswered_aspect("可以异地办吗", passport_6) == "异地办理"
    # where one lives now is elsewhere too (结婚证丢了怎么补 / 能在现在住的地方补吗 had been searched as a question of its own)
    assert asked_manner("能在现在住的地方补吗") == "异地办理" and asked_manner("我住的地方离这儿远吗") is None
    # the statutes' 居住地 in a question of its own is what it asks about, not where it is to be done
    assert asked_manner("有居住证的人能在居住地申领机动车驾驶证吗") is None
    assert unanswered_aspect("有效期多久", "第七条 普通护照的有效期为：护照持有人未满十六周岁的五年，十六周岁以上的十年。") is None
    assert unanswered_aspect("有效期多久", residence_9) == "有效期"
    # in a question of its own, elsewhere is read too; how long it lasts is asked of the question's own topic
    assert unanswered_aspect("护照可以异地办理吗", passport_6, followup=False) == "异地办理"
    assert unanswered_aspect("居住证有效期多久", residence_9, followup=False) is None


def test_a_form_a_medical_check_handing_over_and_a_refusal_need_a_passage_that_says_so() -> None:
    id_card_10 = "第十条 申请领取居民身份证，应当填写《居民身份证申领登记表》，交验居民户口簿。"
    marriage_7 = ("第七条 对当事人符合结婚条件的，应当当场予以登记，发给结婚证；对当事人不符合结婚条件不予登记的，"
                  "应当向当事人说明理由。")
    assert asked_manner("要填什么表") == "填表" and asked_manner("需要体检吗") == "体检"
    assert asked_manner("办好了怎么拿") == "领证" and asked_manner("不给批怎么办") == "办不下来"
    assert unanswered_aspect("要填什么表", id_card_10) is None and unanswered_aspect("要填什么表", BIRTH_7) == "填表"
    assert unanswered_aspect("要填什么表", PASSPORT_6) == "填表"  # 材料 is no form
    for turn in ("需要体检吗", "要去体检吗"):
        assert unanswered_aspect(turn, marriage_7) == "体检", turn
    assert unanswered_aspect("办好了怎么拿", marriage_7) is None and unanswered_aspect("办好了怎么拿", BIRTH_7) == "领证"
    assert unanswered_aspect("办不下来怎么办", marriage_7) is None
    assert unanswered_aspect("办不下来怎么办", ID_CARD_11) == "办不下来"
    # each is a turn about the previous question's service, which it leans on
    assert all(is_followup(turn, asked("低保怎么申请")) for turn in ("要填什么表", "需要体检吗", "不给批怎么办"))


def test_what_one_must_meet_asked_after_a_service_needs_a_passage_that_states_conditions() -> None:
    residence_3 = "第三条 居住证是持证人在居住地居住、作为常住人口享受基本公共服务和便利、申请登记常住户口的证明。"
    unemployed_14 = "第十四条 具备下列条件的失业人员，可以领取失业保险金：（一）按照规定参加失业保险…"
    pension_16 = "第十六条 参加基本养老保险的个人，达到法定退休年龄时累计缴费满十五年的，按月领取基本养老金。"
    for turn in ("有什么条件", "需要什么条件", "要满足什么条件", "有啥要求"):
        assert asked_manner(turn) == "条件", turn
        assert unanswered_aspect(turn, residence_3) == "条件", turn
        assert unanswered_aspect(turn, unemployed_14) is None and unanswered_aspect(turn, pension_16) is None, turn
    assert unanswered_aspect("有什么条件", BIRTH_7) == "条件"
    assert is_followup("要满足什么条件", asked("退休了养老金怎么领"))
    # the service's own verb, or who issues a paper, is no topic of the turn's own
    assert is_followup("补办有什么条件", asked("身份证丢了去哪补办"))
    assert is_followup("单位要给开证明吗", asked("离职了失业金怎么领"))
    assert not is_followup("社保卡补办有什么条件", asked("身份证丢了去哪补办"))
    assert unanswered_aspect("居住证有什么条件", residence_3, followup=False) is None  # a question of its own


def test_whether_one_must_do_something_is_answered_only_by_a_passage_stating_the_duty_or_the_choice() -> None:
    for turn in ("必须办居住证吗", "身份证是必须办的吗", "可以不办身份证吗", "单位一定得给我交养老保险吗", "工伤保险是不是强制的",
                 "孩子必须上学吗 不上行不行", "人走了一定要火化吗"):
        assert asked_manner(turn) == "义务", turn
    # coming in person and bringing a document are asked as such
    assert asked_manner("本人必须到场吗") == "本人到场" and asked_manner("必须带户口本吗") is None
    # one going alone for both, or both having to go (结婚证我一个人带着俩人的材料去领行不行 had quoted the materials article)
    assert asked_manner("结婚证我一个人带着俩人的材料去领行不行") == "本人到场" and asked_manner("结婚登记俩人都得去吗") == "本人到场"
    assert asked_manner("一个人住的老人怎么申请低保") is None
    id_2 = "第二条 居住在中华人民共和国境内的年满十六周岁的中国公民，应当依照本法的规定申请领取居民身份证。"
    residence_2 = "第二条 公民…符合有合法稳定就业、合法稳定住所、连续就读条件之一的，可以依照本条例的规定申领居住证。"
    pension_10 = "第十条 职工应当参加基本养老保险，由用人单位和职工共同缴纳基本养老保险费。"
    visa_22 = "第二十二条 外国人有下列情形之一的，可以免办签证。"
    for passage in (id_2, residence_2, pension_10, visa_22):
        assert speaks_to_manner(passage, "义务"), passage
    # the materials, someone applying for another, the office's duty to tell the applicant, and showing a card are no
    # duty of the citizen to get it
    residence_9 = ("第九条 申领居住证，应当向居住地公安派出所提交本人居民身份证。未满16周岁的未成年人…可以由其监护人、近亲属代为申领"
                   "居住证。申领材料不全的，应当一次性告知申领人需要补正的全部材料。")
    id_14 = "第十四条 有下列情形之一的，公民应当出示居民身份证证明身份。"
    assert not speaks_to_manner(residence_9, "义务") and not speaks_to_manner(id_14, "义务")
    assert unanswered_aspect("必须办居住证吗", residence_9, followup=False) == "义务"
    # asked in a question of its own, or after one
    assert manner_stated("必须办居住证吗") == manner_stated("身份证必须办吗\n那要是不到十六岁呢 也必须办吗") == "义务"
    assert manner_stated("必须办居住证吗\n要带什么材料") is None and manner_stated("办居住证要带什么材料") is None
    # the thing one must do is a topic of its own: 孩子必须上学吗 after a pension question is a new question
    assert not is_followup("孩子必须上学吗", asked("单位一定得给我交养老保险吗"))
    assert is_followup("那要是不到十六岁呢 也必须办吗", asked("身份证必须办吗"))


def test_a_correction_a_withdrawal_a_certificate_issued_and_a_count_of_photos_need_a_passage_that_says_so() -> None:
    id_card_11 = "第十一条 居民身份证登记项目出现错误的，公安机关应当及时更正，换发新证；居民身份证丢失的，应当申请补领。"
    assert unanswered_aspect("办错了能改吗", id_card_11) is None and unanswered_aspect("办错了能改吗", BIRTH_7) == "更正"
    # 终止…劳动关系 is no withdrawal, and the 证明材料 an applicant hands in no certificate issued
    unemployed = "第十六条 城镇企业事业单位应当及时为失业人员出具终止或者解除劳动关系的证明，告知其按照规定享受失业保险待遇的权利。"
    assert unanswered_aspect("可以撤回吗", unemployed) == "撤回"
    assert unanswered_aspect("能开证明吗", unemployed) is None
    assert unanswered_aspect("能开证明吗", "第九条 申领居住证，应当提交本人居民身份证、本人相片以及就业、就读等证明材料。") == "开证明"
    assert brought_documents("要几张照片") == ("照片",) and brought_documents("要多少钱") == ()
    assert unanswered_aspect("要几张照片", BIRTH_7) == "whether to bring 照片"
    assert unanswered_aspect("要几张照片", PASSPORT_6) is None  # it names photos; the count is a missing figure


def test_a_turn_that_asks_only_how_the_previous_service_is_done_leans_on_it() -> None:
    history = asked("居住证怎么办")
    for turn in ("不去办会罚款吗", "能让家里人帮我办吗", "手机上能办吗", "需要两个人都到场吗", "爷爷奶奶能替我们去办吗"):
        assert is_followup(turn, history), turn
        assert "居住证" in retrieval_query(turn, history, 3).split("\n")[0], turn
    assert not is_followup("护照网上能办吗", history)  # a topic of its own


def _reads_manner(manner: str, asked: tuple[str, ...], said: tuple[str, ...], unsaid: tuple[str, ...]) -> None:
    assert [turn for turn in asked if asked_manner(turn) != manner] == []
    assert [passage for passage in said if not speaks_to_manner(passage, manner)] == []
    assert [passage for passage in unsaid if speaks_to_manner(passage, manner)] == []


def test_how_long_the_office_takes_is_asked_apart_from_how_long_a_benefit_or_a_card_lasts() -> None:
    asked = ("要多久", "要等多久", "多长时间", "多久能拿到", "几天能批下来", "审批要多长时间", "多久出结果", "多久给答复", "几天能拿到新卡",
             "那交上去以后要多久", "要多久。", "要多久？ ", "多久能有决定。")  # as heard or typed
    for turn in ("能领多久", "失业金能领多久", "有效期多久", "多久签注一次", "公积金交了多久能贷款", "多久过期"):
        assert asked_manner(turn) != "办理时限", turn
    # stated as a period counted from the application, or as done on the spot; the yearly renewal, a birth's
    # declaration deadline and a benefit's length are no time the office takes
    said = ("第九条 …对符合居住证办理条件的，公安机关应当自受理之日起15日内制作发放居住证。",
            "第十二条 公安机关应当自公民提交《居民身份证申领登记表》之日起六十日内发放居民身份证。",
            "管理审批机关应当自接到申请人提出申请之日起的30日内办结审批手续。",
            "第七条 对当事人符合结婚条件的，应当当场予以登记，发给结婚证。")
    unsaid = ("第十条 居住证由县级人民政府公安机关签发，每年签注1次。应当在居住每满1年之日前1个月内办理签注手续。",
              "第七条 婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。",
              "第十七条 失业人员失业前所在单位和本人累计缴费满1年不足5年的，领取失业保险金的期限最长为12个月。")
    _reads_manner("办理时限", asked, said, unsaid)
    assert manner_stated("办居住证要带什么材料\n要多久") == "办理时限" and manner_stated("必须办居住证吗") == "义务"
    assert manner_stated("办居住证要带什么材料") is None and manner_stated("失业金怎么领\n能领多久") is None
    assert manner_stated("我户口在老家 身份证丢了能在这边补吗 多久能拿到") == "办理时限"  # in a question of its own too
    assert manner_stated("办居住证要用多长时间") == "办理时限"  # …naming the service first
    assert manner_stated("办居住证要带什么材料") is None and manner_stated("居住证能用多长时间") is None


def test_how_long_the_office_takes_is_searched_under_applying_for_the_earlier_topic() -> None:
    history = [ChatMessage("user", "办居住证要带什么材料"), ChatMessage("assistant", "……")]
    assert retrieval_query("要多久", history, 2) == "怎么申请办理居住证\n要多久"
    # another follow-up keeps the earlier question's subject words, as before
    assert retrieval_query("要交钱吗", history, 2) == "居住证\n要交钱吗"


def test_what_follows_an_act_naming_no_thing_leans_on_the_previous_question() -> None:
    """借给别人会被罚吗 after 居住证怎么办 asks about lending the 居住证; searched alone it found 社会救助 penalties."""
    for earlier, turn in (("居住证怎么办", "借给别人会被罚吗"), ("护照怎么办", "弄虚作假会被罚吗"), ("失业金怎么领", "骗领会怎么样")):
        assert is_followup(turn, asked(earlier)), turn
        query = retrieval_query(turn, asked(earlier), 3)
        topic = query.split("\n")[0]
        assert earlier[:2] in topic and "申请" not in topic, query  # the thing itself, not applying for it
    # an act done to a thing the turn names is a question of its own
    assert not is_followup("冒用别人的身份证会被罚吗", asked("居住证怎么办"))


def test_whether_something_goes_on_naming_no_benefit_leans_on_the_previous_question() -> None:
    """找到工作了还能接着领吗 after 失业金怎么领 asks about 失业金; searched alone it found 低保's article on refusing work."""
    for earlier, turn in (("失业金怎么领", "找到工作了还能接着领吗"), ("退役金怎么领", "考上公务员了还发吗"),
                          ("护照丢了怎么补办", "补办以后旧的还能用吗")):
        assert is_followup(turn, asked(earlier)), turn
        topic = retrieval_query(turn, asked(earlier), 3).split("\n")[0]
        assert earlier[:2] in topic and "申请" not in topic, topic  # the thing itself, not applying for it
    # asked of a benefit or certificate the turn names, it is a question of its own
    assert not is_followup("找到工作了低保还能接着领吗", asked("失业金怎么领"))
    assert not is_followup("补办以后旧身份证还能用吗", asked("护照丢了怎么补办"))
    assert not is_followup("伤残津贴什么时候停", asked("低保被驳回了 我不服 怎么办"))


def test_a_word_pointing_back_after_the_case_a_turn_tells_points_to_that_case() -> None:
    # naming its own topic, the turn is a question of its own: it had been searched under the previous one's
    history = asked("我在这边租房住了八个月了 能办居住证吗")
    assert not is_followup("家里前两天着火了 我们也不是低保户 这种能申请临时救助不", history)
    assert not is_followup("我那天中午喝多了 下午干活摔伤了 这个还能算工伤吗", asked("我信用卡有过逾期 还能去银行办房贷吗"))
    # at the start, or in a turn that names no topic of its own, it points to the earlier turn as before
    assert is_followup("那个要多久", history)
    assert is_followup("我妈腿脚不好 这种能代办吗", history)
    # what follows is asked of the act the turn tells, not of the earlier turn's service
    assert not is_followup("拿别人医保卡去药店刷药 这种要罚多少", asked("婚姻登记档案会保存多少年"))
    # a manner asked before the word takes it as its object: what the turn named
    assert not is_followup("单位一直不给我交社保 我能去哪告它", asked("刚进厂上班 主管说身份证得放他那儿 这合法吗"))
    assert is_followup("我妈腿脚不好 能找人代办这个吗", history)


def test_a_question_naming_its_service_and_asking_how_long_is_no_follow_up() -> None:
    assert not is_followup("办身份证要用多久", asked("驾驶证有效期几年"))
    assert is_followup("要用多长时间", asked("办居住证要带什么材料"))
    assert asked_manner("要用多长时间") == "办理时限"
