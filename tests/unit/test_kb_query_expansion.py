"""Everyday words and service intents gain the statutes' wording before retrieval; the citizen's words stay."""

from __future__ import annotations

from knowledge_base.query_expansion import expand_query


def test_everyday_names_gain_the_statute_terms() -> None:
    expanded = expand_query("我失业了 失业金一个月能领多少")
    assert expanded.startswith("我失业了 失业金一个月能领多少") and "失业保险金" in expanded
    assert "个人所得税" in expand_query("退休金还要交个税吗") and "基本养老金" in expand_query("退休金还要交个税吗")
    assert "社会保障卡" in expand_query("社保卡丢了") and "社会保险" not in expand_query("社保卡丢了")


def test_intents_add_the_wording_of_deadlines_and_materials() -> None:
    assert "期限" in expand_query("多久能拿到")
    assert "材料" in expand_query("要带啥")


def test_a_question_with_nothing_to_expand_is_unchanged() -> None:
    assert expand_query("居民身份证有效期") == "居民身份证有效期"


def test_things_and_acts_said_at_the_counter_count_as_the_statutes_words() -> None:
    from knowledge_base.query_expansion import statute_terms
    from knowledge_base.question import analyse
    from knowledge_base.relevance import coverage, present

    assert statute_terms("药店") == ["定点医药机构"] and statute_terms("彩票") == ["偶然所得"]
    # people stay as said: 孩子 is who is asking about an ID card, not 子女 a statute provides for
    assert statute_terms("孩子") == [] and statute_terms("老伴") == []
    assert present("房子", "申请不动产转移登记") and present("刷脸", "采用人脸识别等方式")
    assert not present("房子", "申请居住证")
    # 扣着 is keeping a card, not 扣税
    assert statute_terms("扣着") == ["扣押"] and statute_terms("扣税") == []
    # a name is the statutes' 姓名 (我二十五了想改个名字 had covered nothing of 户口登记条例 第十八条); earnings are 收入
    assert present("名字", "公民变更姓名，依照下列规定办理") and present("挣大钱", "家庭人均收入低于当地标准")
    terms = analyse("老人走了 房子要过到我名下")
    assert coverage(terms, "继承不动产的，由继承人申请转移登记") > coverage(terms, "申请居住证的条件")


def test_the_counters_words_for_a_threshold_a_rent_a_loan_and_a_renewal_are_the_statutes() -> None:
    from knowledge_base.query_expansion import statute_terms
    from knowledge_base.relevance import present

    assert present("起征点", "以每月收入额减除费用五千元后的余额为应纳税所得额")
    assert present("付租金", "（六）房租超出家庭工资收入的规定比例的")
    # jieba cuts 公租房 (a housing scheme) into 公/租房: 租房 alone is left as said
    assert statute_terms("租房") == [] and statute_terms("公租房") == []
    assert present("借给", "将本人的医疗保障凭证交由他人冒名使用") and present("借给", "出租、出借、转让居民身份证")
    assert present("续签", "需要延长居留期限的，应当在居留证件有效期限届满30日前申请延期")
    assert statute_terms("续签注") == []  # 港澳通行证's 签注 is no residence permit's extension
    assert present("年报", "市场主体应当于每年1月1日至6月30日，通过国家企业信用信息公示系统报送上一年度年度报告")
    assert present("回族", "尊重少数民族的丧葬习俗") and present("喝多了", "醉酒或者吸毒的")
    # 第一次办要交钱吗 after 办居住证要带什么材料: 首次申领居住证，免收证件工本费 had scored just under the threshold
    assert present("第一次", "首次申领居住证，免收证件工本费") and present("头一回", "在其初次申请领取和换领居民身份证时")
