from __future__ import annotations

from answering.citations import (
    article_number,
    citation_phrase,
    normalise_title,
    parse_citations,
)
from core.models import Citation
from tests.unit.answering_fakes import ID_CARD_5, RESIDENCE_9, RESIDENCE_12


def test_article_numbers_in_chinese_and_arabic_numerals() -> None:
    assert article_number("第九条") == 9
    assert article_number("第二十一条") == 21
    assert article_number("第 21 条") == 21
    assert article_number("第一百零三条") == 103
    assert article_number(None) is None


def test_titles_are_compared_without_dates_prefix_or_extension() -> None:
    assert normalise_title("中华人民共和国居民身份证法(2011-10-29).md") == "居民身份证法"
    assert normalise_title("《居住证暂行条例》") == "居住证暂行条例"


def test_parses_the_articles_an_answer_cites_and_only_those_supported_by_passages() -> None:
    answer = "需要身份证和相片。依据《居住证暂行条例》第九条、第十二条，以及《中华人民共和国居民身份证法》第5条。"
    cited = parse_citations(answer, [RESIDENCE_9, RESIDENCE_12, ID_CARD_5])
    assert [(c.title, c.article) for c in cited] == [
        ("居住证暂行条例", "第九条"),
        ("居住证暂行条例", "第十二条"),
        ("居民身份证法", "第五条"),
    ]
    assert cited[0].source == "居住证暂行条例(2015-11-26).md"


def test_invented_titles_and_articles_are_not_cited() -> None:
    answer = "依据《护照法》第三条和《居住证暂行条例》第四十条。"
    assert parse_citations(answer, [RESIDENCE_9, RESIDENCE_12]) == []


def test_article_inside_a_passage_text_counts_as_supported() -> None:
    merged = RESIDENCE_9.__class__(**{**RESIDENCE_9.to_dict(), "text": RESIDENCE_9.text + "第十条 每年签注1次。"})
    cited = parse_citations("依据《居住证暂行条例》第十条。", [merged])
    assert cited == [Citation(merged.source, "居住证暂行条例", "第十条")]


def test_numbered_passage_references_map_to_passages() -> None:
    assert parse_citations("见资料[2]。", [RESIDENCE_9, ID_CARD_5]) == [Citation(ID_CARD_5.source, "居民身份证法", "第五条")]


def test_citation_phrase_names_title_and_article() -> None:
    assert citation_phrase([Citation("s", "居住证暂行条例", "第九条")]) == "依据《居住证暂行条例》第九条"


def test_quantities_must_match_number_and_unit() -> None:
    from answering.faithfulness import unsupported_numbers

    sources = ["二十六周岁至四十五周岁的，居民身份证有效期二十年。", "自受理之日起15日内制作发放居住证。", "我今年三十二"]
    assert unsupported_numbers("工本费是20元。", sources) == ["20元"]
    assert unsupported_numbers("有效期二十年，十五天内发放。", sources) == []
    assert unsupported_numbers("您三十二岁，统一办理，一次告知。", sources) == []
    assert unsupported_numbers("3个工作日内办结。", sources) == ["3个"]


def test_missing_figure_kinds() -> None:
    from answering.faithfulness import missing_figure

    assert missing_figure("办港澳通行证要多少钱", "工本费标准由国务院价格主管部门核定。") == "金额"
    assert missing_figure("办港澳通行证要多少钱", "工本费为二十元。") is None
    assert missing_figure("公积金贷款利率是多少", "贷款利率按国家规定执行。") == "利率"
    assert missing_figure("公积金利率", "住房公积金的存、贷利率由中国人民银行提出。") == "利率"  # the rate alone, named
    assert missing_figure("那存进去的钱算不算利息", "按照国家规定的利率计息。") is None  # whether, not how much
    assert missing_figure("大厅下午几点关门", "办公时间为9:00-17:00。") is None
    assert missing_figure("积分落户要多少分", "建立完善积分落户制度。") == "分数"
    assert missing_figure("办居住证要带什么材料", "提交本人居民身份证。") is None
    # from when a period runs is stated by the event it runs from; a calendar day is not
    assert missing_figure("失业金从哪天开始算", "失业保险金自办理失业登记之日起计算。") is None
    assert missing_figure("国庆高速免费几号开始", "自办理失业登记之日起计算。") == "日期"
    # a day of the month: 按月发放 says how often, not on which day; 几号窗口 asks for a window, not a date
    assert missing_figure("失业金每个月几号发", "失业保险金由社会保险经办机构按月发放。") == "日期"
    assert missing_figure("工资每月几号前发", "工资应当于每月15日前发放。") is None
    assert missing_figure("办户口的窗口是几号", "户口登记机关。") is None
    # what a photo must look like: 近期免冠照片 names the photo, not its background
    assert missing_figure("护照照片要什么背景", "应当提交本人的居民身份证、户口簿、近期免冠照片。") == "规格"
    assert missing_figure("照片是什么底色", "照片为白色背景。") is None


def test_a_length_kept_for_good_and_a_rough_number_told() -> None:
    from answering.faithfulness import missing_figure

    # kept for good is a length, stated without a number
    assert missing_figure("婚姻登记档案会保存多少年", "婚姻登记档案应当长期保管。") is None
    assert missing_figure("登记簿要保存多少年", "不动产登记簿由不动产登记机构永久保存。") is None
    assert missing_figure("登记簿要保存多少年", "不动产登记机构应当指定专人负责不动产登记簿的保管。") == "时长"
    # 八几年, 二十几岁, 十几次: a rough number told, nothing asked
    assert missing_figure("我爸妈八几年结的婚 档案还能查到吗", "婚姻登记档案应当长期保管。") is None
    assert missing_figure("我二十几岁了 能办吗", "申请领取居民身份证。") is None
    assert missing_figure("孩子几岁能办身份证", "申请领取居民身份证。") == "年龄"
    # by when one must act is stated without a number too; how long the office takes is not
    assert missing_figure("公司换了地址 多久之内要去变更登记", "应当在迁入新住所前申请变更登记。") is None
    assert missing_figure("公司换了地址 变更登记多久能办好", "应当在迁入新住所前申请变更登记。") == "时长"
    assert missing_figure("户口迁到城里了 人到了以后几天之内要去落户", "由本人在迁出前申报迁出登记。") == "时长"  # a count of days
    # 前几天走了, 休了几天假: a few days told, nothing asked
    burial = "符合条件的退役军人去世后，可以安葬在军人公墓。"
    assert missing_figure("我爷爷是退伍老兵 前几天走了 能葬到军人公墓去吗", burial) is None
    assert missing_figure("做了个手术休了几天假 能领生育津贴吗", "职工有下列情形之一的，可以按照国家规定享受生育津贴。") is None
    assert missing_figure("军人公墓几天能办好手续", burial) == "时长"


def test_an_amount_asked_is_stated_by_a_figure_a_multiple_or_the_rule_that_sets_it() -> None:
    from answering.faithfulness import asks_amount, missing_figure, states_amount

    fine = "个人以骗取医疗保障基金为目的…处骗取金额2倍以上5倍以下的罚款。"
    assert asks_amount("拿我的医保卡去药店刷药 这种要罚多少") and missing_figure("这种要罚多少", fine) is None
    assert states_amount("失业保险金的标准，按照低于当地最低工资标准的水平，由省、自治区、直辖市人民政府确定。")
    # registering, and from when a benefit is counted, state no amount
    assert not states_amount("失业人员应当持证明办理失业登记。失业保险金自办理失业登记之日起计算。")
    assert not asks_amount("失业金能领多久")


def test_fees_shares_and_discounts_asked_without_a_question_word_before_them() -> None:
    from answering.faithfulness import missing_figure

    rule = "护照工本费和加注费的标准由国务院价格行政部门会同国务院财政部门规定、公布。"
    assert missing_figure("现在办一本护照工本费多少", rule) == "金额"
    assert missing_figure("办证手续费要多少", "手续费为二十元。") is None
    assert missing_figure("医疗费占收入多少比例才能申请", "占比达到或者超过规定比例的。") == "比例"
    assert missing_figure("公积金最少交多少比例", "缴存比例均不得低于职工上一年度月平均工资的5%。") is None
    assert missing_figure("退役军人优待证坐火车能打几折", "凭退役军人优待证等有效证件享受公共交通优待。") == "比例"
    assert missing_figure("路上花费多少时间", "自受理之日起十五日内。") is None  # time, not money


def test_an_age_and_a_rise_are_figures_asked() -> None:
    from answering.faithfulness import missing_figure

    pension = "参加基本养老保险的个人，达到法定退休年龄时累计缴费满十五年的，按月领取基本养老金。"
    assert missing_figure("退休年龄是多少岁", pension) == "年龄"
    assert missing_figure("男的多大岁数退休", pension) == "年龄"
    assert missing_figure("孩子几岁能上小学", "凡年满六周岁的儿童，应当送其入学。") is None
    assert missing_figure("养老金今年涨了多少", "国家建立基本养老金正常调整机制。") == "金额"
    assert missing_figure("养老金提高多少", "基本养老金每月增加50元。") is None
    # a count: 一年能提几次 is not answered by the conditions for drawing, nor by 一次性
    assert missing_figure("公积金一年能提几次", "职工有下列情形之一的，可以提取住房公积金。") == "次数"
    assert missing_figure("公积金一年能提几次", "应当一次性告知申请人。") == "次数"
    assert missing_figure("居住证一年签注几次", "居住证每年签注1次。") is None
    assert missing_figure("街道介绍了几次工作我都没去 会咋样", "连续3次拒绝接受介绍的工作的，停发。") is None
    assert missing_figure("我刷了好几次都过不去咋整", "应当提供人脸识别以外的方式。") is None
    # a grade: 护理补贴几级才能领 is not answered by the grant, which names none; 哪级政府 asks an office
    assert missing_figure("护理补贴是不是得一级才能领 几级才够条件", "对生活不能自理的残疾人，按照规定给予护理补贴。") == "等级"
    assert missing_figure("工伤评到几级能领伤残津贴", "职工因工致残被鉴定为一级至四级伤残的，保留劳动关系。") is None
    assert missing_figure("这事归哪级政府管", "县级以上地方人民政府负责本行政区域内的工作。") is None
    # months and years asked as a count: 按月领取 says how, not for how many months
    assert missing_figure("个人账户养老金计发月数是多少", "个人账户养老金按月领取。") == "时长"
    assert missing_figure("六十岁退休按几个月除", "个人账户养老金按月领取。") == "时长"
    assert missing_figure("失业金能领几个月", "领取失业保险金的期限最长为二十四个月。") is None
    # …and 月数 is a count of months, which a count of years does not state
    assert missing_figure("养老金计发月数是多少", "累计缴费满十五年的，按月领取基本养老金。") == "时长"
    assert missing_figure("计发月数是多少", "计发月数为139个月。") is None
    assert missing_figure("职工医保要交满多少年", "达到法定退休年龄时累计缴费达到国家规定年限的。") == "时长"
    assert missing_figure("我在外地交了好几年养老保险 之前的不白交了吗", "缴费年限累计计算。") is None
    assert missing_figure("当兵那几年交的公积金怎么处理", "转入其安置地住房公积金账户。") is None
    # 交了多少 is what one wants to look up, not the figure asked
    assert missing_figure("我想查查自己社保交了多少 能查吗", "有权查询缴费记录、个人权益记录。") is None


def test_a_question_asking_a_figure_and_something_else() -> None:
    from answering.faithfulness import asks_beyond

    assert asks_beyond("费用", ["时长"])  # 要不要交工本费 … 多久能拿到: the fee part can be answered
    assert not asks_beyond("费用", ["金额"]) and not asks_beyond("期限", ["时长"])  # the figure is the question
    assert not asks_beyond("条件", ["金额"])  # 能不能 is stated by almost any rule
    assert not asks_beyond("材料", ["上限"])


def test_amounts_asked_as_what_is_paid_out_and_stated_as_a_share() -> None:
    from answering.faithfulness import missing_figure

    # 给多少 / 能拿多少 ask for an amount; a rule that leaves the amount to local government does not state one
    assert missing_figure("一次性经济补助我们这给多少", "补助标准及发放办法由省、自治区、直辖市人民政府规定。") == "金额"
    assert missing_figure("退休以后每个月能拿多少", "累计缴费满十五年的，按月领取基本养老金。") == "金额"
    assert missing_figure("公积金一次能取多少", "经住房公积金管理委员会批准，可以将住房公积金用于购买国债。") == "金额"
    # a share of wages or of a base is the statute's way of stating an amount
    assert missing_figure("失业保险单位和个人每个月各交多少", "城镇企业事业单位按照本单位工资总额的百分之二缴纳失业保险费。") is None
    assert missing_figure("丧葬补助金给多少", "丧葬补助金为6个月的统计上年度职工月平均工资。") is None
    assert missing_figure("护理费给多少", "分别为统筹地区上年度职工月平均工资的50%、40%或者30%。") is None
    # 给多少天 asks for a time, 几分钟 is not a score
    assert missing_figure("产假给多少天", "女职工生育享受98天产假。") is None
    assert missing_figure("居住证积分交一年社保能算几分", "建立完善积分落户制度。") == "分数"
    assert missing_figure("排队要几分钟", "建立完善积分落户制度。") != "分数"


def test_a_question_that_says_money_needs_a_sum_of_money() -> None:
    from answering.faithfulness import missing_figure

    # 多少钱 / 标准是多少 want yuan; a rule stating a wage share answers 交多少, not 多少钱
    assert missing_figure("残保金一个人多少钱", "以伤残津贴为基数，缴纳基本医疗保险费，伤残津贴为本人工资的90%。") == "金额"
    assert missing_figure("一次性伤残就业补助金标准是多少", "具体标准为6个月的本人工资。") == "金额"
    assert missing_figure("单位和个人各交多少", "按照本人工资的1%缴纳。") is None


def test_whether_interest_is_paid_is_not_a_question_after_the_rate() -> None:
    from answering.faithfulness import missing_figure

    article = "住房公积金自存入职工住房公积金账户之日起按照国家规定的利率计息。"
    assert missing_figure("那存进去的钱算不算利息", article) is None
    assert missing_figure("公积金存款利息是多少", article) == "利率"
    assert missing_figure("公积金贷款利率几个点", article) == "利率"
    assert missing_figure("公积金贷款利率现在多少", article) == "利率"


def test_a_duration_in_minutes_is_a_stated_duration() -> None:
    from answering.faithfulness import missing_figure

    assert missing_figure("自助签注一次要多久", "自助签注每次办理时间约为五分钟。") is None
    assert missing_figure("自助签注一次要多久", "本大厅提供居住证签注自助服务。") == "时长"


def test_a_bound_asked_for_needs_a_bound_in_that_direction() -> None:
    from answering.faithfulness import asked_figures, missing_figure

    minimum = "职工和单位住房公积金的缴存比例均不得低于职工上一年度月平均工资的5%；有条件的城市，可以适当提高缴存比例。"
    assert missing_figure("公积金缴存比例最高能到百分之多少", minimum) == "上限"
    assert missing_figure("公积金单位和个人最少各得交多少比例", minimum) is None
    assert missing_figure("店里生意做不下去了 最多能歇多久", "歇业的期限最长不得超过3年。") is None
    assert missing_figure("单位招残疾人最低要招到多少比例啊", "比例不得低于本单位在职职工总数的1.5%。") is None
    assert missing_figure("停工留薪期最多多久", "停工留薪期一般不超过12个月。") is None
    assert missing_figure("中心那边最多几天得给我个准信", "应当自受理申请之日起3日内作出准予提取或者不准提取的决定") is None
    assert missing_figure("灵活就业最少交几年", "失业保险金领取期限最长为24个月。") == "下限"
    # said further from the bound, and the share the other bound states is no answer either
    assert missing_figure("我想多交点 最高能交到工资的百分之几", minimum) == "上限"
    assert asked_figures("我想多交点 最高能交到工资的百分之几", minimum) == {"上限": False, "比例": False}
    # …while a figure no more stated than its bound is named as asked (最多能贷多少万: 额度)
    assert list(asked_figures("我们市公积金最多能贷多少万", "缴存住房公积金的职工可以申请住房公积金贷款。")) == ["额度", "上限"]


def test_counts_of_photos_and_amounts_taken_off_or_fined() -> None:
    from answering.faithfulness import asks_beyond, missing_figure

    # 几张 / 几寸 want a count or a size, which a list of documents does not give
    assert missing_figure("领结婚证要带几张合照 几寸的", "本人的户口簿、身份证。") == "数量"
    assert missing_figure("要带几张照片", "近期二寸免冠照片2张。") is None
    assert not asks_beyond("材料", ["数量"])
    # 减多少 / 罚多少 ask an amount: a reduction left to the province states none, a fine in yuan does
    assert missing_figure("残疾人开店个税能减多少", "可以减征个人所得税，具体幅度由省、自治区、直辖市人民政府规定。") == "金额"
    assert missing_figure("冒用别人居住证罚多少", "处200元以上1000元以下罚款。") is None


def test_a_benefit_or_a_months_sum_asked_without_a_verb() -> None:
    from answering.faithfulness import missing_figure

    assert missing_figure("高龄津贴八十岁以上每月多少", "国家鼓励地方建立八十周岁以上低收入老年人高龄津贴制度。") == "金额"
    assert missing_figure("二孩生育补贴有多少", "职工享受生育保险待遇。") == "金额"
    assert missing_figure("失业金一个月大概多少", "失业保险金的标准，不得低于城市居民最低生活保障标准。") == "金额"
    assert missing_figure("丧葬补助金有多少", "丧葬补助金为6个月的统筹地区上年度职工月平均工资。") is None
    assert missing_figure("补贴多少天能到账", "自受理之日起十五日内。") != "金额"  # a time, not a sum


def test_who_sets_a_figure() -> None:
    from answering.faithfulness import answers_who_sets

    rule = "医疗补助金的标准由省、自治区、直辖市人民政府规定。"
    assert answers_who_sets("补多少是谁定的", rule)
    assert answers_who_sets("失业金标准怎么定", "失业保险金的标准…由省、自治区、直辖市人民政府确定。")
    assert not answers_who_sets("补多少", rule)  # the figure itself is asked
    assert not answers_who_sets("补多少是谁定的", "可以申请领取医疗补助金。")  # the rule names no one
