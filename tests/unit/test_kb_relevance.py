"""Question reading, the knowledge base's vocabulary and sounds, and the relevance and answerability models."""

from __future__ import annotations

from answering import answerability
from core.models import Hit
from knowledge_base.profiles import LinearModel, Profile, load_profile
from knowledge_base.query_expansion import everyday_names
from knowledge_base.question import analyse, asks_kind, is_general_word, specificity, states_kind, word_boundaries
from knowledge_base.relevance import Candidate, coverage, features, present
from knowledge_base.terms import TermStats

PASSAGES = [
    "居住证暂行条例 申领居住证，应当向居住地公安派出所提交本人居民身份证、本人相片以及居住地住址证明材料。",
    "居住证暂行条例 公安机关应当自受理之日起15日内制作发放居住证。居住证持有人可以申领机动车驾驶证。",
    "工伤保险条例 提出工伤认定申请应当提交下列材料。职工有下列情形之一的，应当认定为工伤。工伤认定申请表。",
]


def test_the_kind_of_fact_asked_for() -> None:
    assert asks_kind("办居住证要带啥材料") == "材料"
    assert asks_kind("多久能拿到") == "期限"
    assert asks_kind("补办收钱吗") == "费用"
    assert asks_kind("去哪儿办") == "地点"
    assert asks_kind("申请的材料交上去了 几天能办下来") == "期限"  # materials handed in are not what is asked
    assert asks_kind("工伤认定要交哪些材料\n那交上去多久能出结果") == "期限"  # a follow-up's own ask wins
    assert asks_kind("护照有效期是几年\n那在哪个窗口") == "地点"
    assert asks_kind("护照有效期是几年\n那护照呢") == "期限"  # no ask of its own: the earlier one stands
    # a clause that tells the situation asks nothing: the asking clause decides
    assert asks_kind("合同到期不续了 一次性生活补助能拿多少") == "金额"
    assert asks_kind("护照到期了 去哪换") == "地点"
    assert asks_kind("身份证过期了怎么办") == "期限"  # one clause, asking: as before
    assert asks_kind("办居住证要带什么材料 多久能办好") == "材料"  # both clauses ask: the first kind in order
    # whether one may have it is no amount; how much one may have is
    assert asks_kind("我被公司辞退了 这种能领失业金吗") != "金额" and asks_kind("一个月能领多少") == "金额"
    assert states_kind("期限", "自受理之日起15日内制作发放") and not states_kind("期限", "由公安机关签发")
    assert states_kind("费用", "首次申领免收工本费") and not states_kind("费用", "应当提交身份证")


def test_subject_words_are_content_words_weighted_by_specificity() -> None:
    terms = analyse("请问驾驶证快到期了去哪里换")
    words = terms.subject_words
    assert "驾驶证" in words and "请问" not in words and "哪里" not in words
    assert dict(terms.subject)["驾驶证"] > 0.5


def test_everyday_names_jieba_cuts_apart_stay_whole_subject_words() -> None:
    # cut by jieba into 个/税 and 失业/金, they left a one-character piece that is no subject word
    assert analyse("交个税吗").subject_words == ["个税"]
    assert "个税" in analyse("工资到多少才开始扣个税啊").subject_words
    assert analyse("失业金能领多久").subject_words == ["失业金"]
    assert analyse("房本丢了怎么补").subject_words == ["房本"]
    # only where the name starts and ends on jieba's word boundaries: 哪个 and 税务局 are words of their own
    assert analyse("去哪个税务局交").subject_words == ["税务局"]
    assert "失业金" not in analyse("失业金额是多少").subject_words
    # …or where jieba fused its last character with what is done with it (失业/金领/多久): 金领 is no subject
    assert analyse("失业金领多久").subject_words == ["失业金"]
    assert "失业金" in analyse("失业金领完了还是没找到工作").subject_words


def test_a_certificate_named_after_its_holder_or_thing_stays_one_subject_word() -> None:
    # jieba cuts 不动产/权/证书 and 残疾人/证: apart, 证书 names no certificate in particular and 证 is dropped
    assert analyse("不动产权证书丢了怎么补办").subject_words[0] == "不动产权证书"
    assert analyse("残疾人证丢了怎么补").subject_words == ["残疾人证"]
    assert "乘车卡" in analyse("老年人乘车卡在哪里办").subject_words
    # a verb before 证 does not make a certificate
    assert "拿到证" not in analyse("那交上去以后多久能拿到证").subject_words


def test_everyday_time_and_degree_words_are_not_subject_words() -> None:
    terms = analyse("身份证申请交上去以后 多长时间能发下来")
    assert "身份证" in terms.subject_words
    assert not {"交上去", "以后", "下来"} & set(terms.subject_words)
    # 最长能领多久 asks a period as 能领多久 does; a follow-up searched under it (从哪天开始算) is not about 最长
    assert analyse("失业金最长能领多久").subject_words == ["失业金"]
    # a verb's direction or result says how something went, not what the question is about
    assert analyse("护照又在抽屉里翻出来了 还能用吗").subject_words[:1] == ["护照"]
    assert not {"翻出来", "看不清", "请不起"} & set(analyse("翻出来 看不清 请不起 护照").subject_words)
    # days and parts of a day told of one's own case narrow nothing either
    said = analyse("老板说生意撑不下去了要歇业一阵子 让我们明天都别来了 这事不用先跟我们商量商量吗").subject_words
    assert "歇业" in said and not {"明天", "不用"} & set(said)
    assert "这阵子" not in analyse("我男人摔伤了腰 这阵子得有人伺候 护理这事单位管不管").subject_words


def test_a_benefit_drawn_and_then_will_is_not_read_as_one_word() -> None:
    """骗领会怎么样 is 骗领 + 会 (will): jieba's 领会 (to grasp) was a noun, and the turn a question about it."""
    assert "领会" not in analyse("骗领会怎么样").subject_words
    assert "领会" not in analyse("找到工作了还接着领会怎么样").subject_words


def test_coverage_counts_statute_names_for_everyday_words() -> None:
    terms = analyse("社保断交了怎么办")
    assert coverage(terms, "基本养老保险 社会保险费") > coverage(terms, "居民身份证有效期")
    # 商量 is the statutes' 协商, 生意 their 经营
    told = analyse("老板说生意撑不下去了要歇业 不用跟我们商量吗")
    passage = "市场主体应当在歇业前与职工依法协商劳动关系处理等有关事项"
    assert present("商量", passage) and present("生意", "经营困难")
    assert coverage(told, passage) > coverage(told, passage.replace("协商", "处理"))


def test_homophones_of_the_knowledge_bases_words_are_read_as_those_words() -> None:
    stats = TermStats(PASSAGES * 2)  # strings must recur to count as the knowledge base's words
    fixed, corrections = stats.correct("半居住正要带什么材料")
    assert "居住证" in fixed and [c.meant for c in corrections] == ["居住证"]
    fixed, _ = stats.correct("工商认定要交什么")
    assert fixed.startswith("工伤认定")
    unchanged, corrections = stats.correct("居住证要带什么材料")
    assert unchanged == "居住证要带什么材料" and corrections == []


def test_a_homophone_fused_with_the_next_character_is_read_only_into_a_whole_word() -> None:
    # jieba cuts 半居住正要带 as 居住|正要: the heard string ends inside a word, the knowledge base's 居住证 ends one
    stats = TermStats([*PASSAGES, "各部门依法办理。", "有关部门依法处理。"] * 2)
    fixed, corrections = stats.correct("半居住正要带什么材料", word_boundaries)
    assert "居住证要带" in fixed and [c.meant for c in corrections] == ["居住证"]
    # 部门一个窗口 is cut 部门|一个: 部门依 would leave 依 a stray character, so 一个 stays
    assert stats.correct("每个部门一个窗口", word_boundaries) == ("每个部门一个窗口", [])


def test_rarity_and_presence_in_the_knowledge_base() -> None:
    stats = TermStats(PASSAGES)
    assert stats.occurs("驾驶证") and not stats.occurs("港澳通行证")
    assert stats.df("居住证") == 2 and stats.idf("港澳通行证") == stats.max_idf > stats.idf("居住证")


def test_relevance_probability_rises_with_each_signal() -> None:
    profile = load_profile("e5-small")
    model = profile.relevance
    terms = analyse("办居住证要带什么材料")
    row = {"text": PASSAGES[0], "title": "居住证暂行条例", "chapter": None, "article": "第九条"}
    strong = features(terms, Candidate("a", 0.93, 12.0, 0, 0), row, profile)
    weak = features(terms, Candidate("a", 0.80, 1.0, 20, 25), row, profile)
    assert 0.0 <= model.probability(weak) < model.probability(strong) <= 1.0
    other = {**row, "text": "第三条 国家实行残疾人就业制度。", "title": "残疾人就业条例"}
    assert features(terms, Candidate("b", 0.93, 12.0, 0, 0), other, profile)["cover"] < strong["cover"]


def test_profile_round_trips_through_json_and_scales_cosine_by_its_band() -> None:
    model = LinearModel({"bias": -1.0, "top": 2.5})
    assert abs(model.probability({"bias": 1.0, "top": 0.4}) - 0.5) < 1e-9
    profile = Profile("p", (0.3, 0.7), LinearModel({"bias": 1.0}), model, 0.4, expand_queries=False)
    assert Profile.from_json("p", profile.to_json()) == profile
    assert abs(profile.scaled_cosine(0.5) - 0.5) < 1e-9 and profile.scaled_cosine(0.9) == 1.0 and profile.scaled_cosine(None) == 0.0


def _hit(text: str, score: float) -> Hit:
    return Hit(text=text, score=score, source="居住证暂行条例.md", title="居住证暂行条例", article="第十二条", doc_id="d", effective_date=None)


PROFILE = load_profile("e5-small")


class _Vocabulary(TermStats):
    def __init__(self) -> None:
        super().__init__(PASSAGES)


def test_answerability_falls_when_the_subject_is_not_in_the_knowledge_base() -> None:
    top = _hit(PASSAGES[1], 0.6)
    covered = answerability.assess(analyse("居住证多久能拿到"), [top], _Vocabulary(), PROFILE)
    foreign = answerability.assess(analyse("港澳通行证多久能拿到"), [top], _Vocabulary(), PROFILE)
    assert foreign.signals["unknown"] > covered.signals["unknown"]
    assert foreign.score < covered.score
    missing = answerability.assess(analyse("居住证工本费是多少钱"), [top], _Vocabulary(), PROFILE)
    assert missing.signals["missing"] == 1.0 and missing.score < covered.score
    # a follow-up is searched under the earlier question; only this turn's figure must be in the passage
    followup = answerability.assess(analyse("居住证工本费是多少钱\n去哪里办"), [top], _Vocabulary(), PROFILE)
    assert followup.signals["missing"] == 0.0
    asked_now = answerability.assess(analyse("居住证去哪里办\n工本费是多少钱"), [top], _Vocabulary(), PROFILE)
    assert asked_now.signals["missing"] == 1.0


def test_an_embedding_server_without_a_profile_borrows_e5s_and_says_so_once(caplog) -> None:  # noqa: ANN001
    from core.config import KioskConfig
    from knowledge_base.profiles import profile_for

    config = KioskConfig()
    config.embedding.engine = "openai"
    config.embedding.model_name = "bge-m3-test-warning"
    with caplog.at_level("WARNING", logger="knowledge_base.profiles"):
        assert profile_for(config).name == profile_for(config).name == "e5-small"
    assert sum("bge-m3-test-warning" in r.getMessage() for r in caplog.records) == 1


def test_a_missing_or_malformed_profile_file_is_refused_with_its_name(tmp_path) -> None:  # noqa: ANN001
    import pytest

    from core.errors import KnowledgeBaseError

    with pytest.raises(KnowledgeBaseError) as missing:
        load_profile(str(tmp_path / "nowhere.json"))
    assert missing.value.code == "profile-missing" and "nowhere.json" in missing.value.message
    for name, text in (("broken.json", "{not json"), ("empty-band.json", load_profile("e5-small").to_json().replace("0.95", "0.7"))):
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(KnowledgeBaseError) as invalid:
            load_profile(str(tmp_path / name))
        assert invalid.value.code == "profile-invalid" and name in invalid.value.message


def test_a_piece_of_a_longer_word_is_no_reading_of_a_homophone() -> None:
    # 视残疾人 recurs, but only inside 歧视残疾人: 我是残疾人 sounds the same and must stay as said
    stats = TermStats([*PASSAGES, "用人单位不得歧视残疾人。", "任何单位不得歧视残疾人职工。"] * 2)
    assert stats.correct("我是残疾人 想开个小店", word_boundaries) == ("我是残疾人 想开个小店", [])
    fixed, corrections = stats.correct("工商认定要交什么", word_boundaries)
    assert fixed.startswith("工伤认定") and [c.meant for c in corrections] == ["工伤认定"]


def test_a_misheard_two_character_word_is_read_only_where_nothing_else_could_be_meant() -> None:
    texts = ["公民的户口登记项目有变更的，应当申报变更登记。", "户口簿丢失的，应当申请补发。", "户口迁移的，由户主申报。"]
    stats = TermStats([*texts, "公民应当依法纳税。"] * 2)
    fixed, corrections = stats.correct("互口本上我的出生日期登错了", word_boundaries, is_general_word)
    assert fixed.startswith("户口本") and [(c.heard, c.meant) for c in corrections] == [("互口", "户口")]
    # without a word test, or where the pair is a word of general Chinese, nothing two characters long is read
    assert stats.correct("互口本上我的出生日期登错了", word_boundaries)[0].startswith("互口本")
    assert stats.correct("护口本", word_boundaries, lambda w: w in ("护口", "户口"))[1] == []
    # a pair that straddles two words (居住证|在) or holds a character that builds sentences (那税) stays as said
    assert stats.correct("居住证在哪办", word_boundaries, is_general_word)[1] == []
    assert stats.correct("那税呢", word_boundaries, is_general_word)[1] == []


def test_a_misheard_everyday_name_is_read_as_that_name() -> None:
    # the passages say 社会保险, never 社保; the everyday name is still what 社宝 was meant to be
    stats = TermStats(["用人单位应当办理社会保险登记。"] * 2, names=["社保", "走了"])
    fixed, corrections = stats.correct("新入职的单位 多久给我办社宝登记", word_boundaries, is_general_word)
    assert "办社保登记" in fixed and [(c.heard, c.meant) for c in corrections] == [("社宝", "社保")]
    assert TermStats(["用人单位应当办理社会保险登记。"] * 2).correct("办社宝登记", word_boundaries, is_general_word)[1] == []


def test_everyday_names_are_written_out_from_their_patterns() -> None:
    names = everyday_names()
    assert {"社保", "社保卡", "低保", "个税"} <= set(names)
    assert not any("(" in n or "|" in n or "?" in n for n in names)


def test_a_pair_asked_either_way_stays_as_said() -> None:
    stats = TermStats(["本条例自公布之日起施行，现行规定同时废止。", "现行标准由省人民政府制定。"] * 2)
    assert stats.correct("早高峰限不限行", word_boundaries, is_general_word)[1] == []


def test_a_pair_typed_with_another_tone_is_read_only_as_a_term_of_the_statutes() -> None:
    texts = ["殡葬管理工作由民政部门负责。", "殡葬服务单位应当文明服务。", "殡葬设施应当节约用地。", "实行改革土葬。"]
    stats = TermStats([*texts, "改革土葬，推行火葬。", "改革殡葬习俗。", "居民身份证由公安机关签发。", "护照由出入境管理机构签发。"] * 2)
    # 宾葬 (bin1) for 殡葬 (bin4): a pinyin keyboard picks the wrong tone as readily as the right one
    fixed, corrections = stats.correct("宾葬的事归哪个部门管", word_boundaries, is_general_word, specificity)
    assert fixed.startswith("殡葬") and [(c.heard, c.meant) for c in corrections] == [("宾葬", "殡葬")]
    # only with a measure of how specific a word is; with the same tones a pair needs none
    assert stats.correct("宾葬的事归哪个部门管", word_boundaries, is_general_word)[1] == []
    # an everyday word is no reading of another tone (改个名字 is not 改革), nor a character that makes a word with
    # its neighbour outside the pair (好多年前发的: 前 belongs to 年前, not to a misheard 签发)
    assert stats.correct("想给孩子改个名字", word_boundaries, is_general_word, specificity)[1] == []
    assert stats.correct("好多年前发的老证", word_boundaries, is_general_word, specificity)[1] == []


def test_a_longer_string_typed_with_one_tone_wrong_is_read_as_the_statutes_string() -> None:
    texts = ["住房公积金由单位缴存。", "职工可以提取住房公积金。", "公积金管理中心负责审批。", "办公时间另行公布。"]
    stats = TermStats([*texts, "公司的住房公积金应当按时缴存。"] * 2)
    fixed, corrections = stats.correct("共积金能用来还房贷吗", word_boundaries, is_general_word, specificity)
    assert fixed.startswith("公积金") and [(c.heard, c.meant) for c in corrections] == [("共积金", "公积金")]
    # a character that builds sentences (得, 有) is as meant: 公司得多久 is not 公司的
    assert stats.correct("公司得多久内给我办", word_boundaries, is_general_word, specificity)[1] == []
    # …and so is one the citizen also wrote elsewhere in the question: 共 in 一共 and 共积金 is theirs
    assert stats.correct("一共交了多少 共积金能取吗", word_boundaries, is_general_word, specificity)[1] == []


def test_a_term_heard_with_both_characters_changed_is_read_only_as_a_term_of_the_statutes() -> None:
    texts = ["个体工商户可以申请注销登记。", "办理注销登记应当提交申请书。", "注销登记后不得继续经营。",
             "本条例另有规定的，依照其规定。", "法律另有规定的除外。", "按照国家规定执行。"]
    stats = TermStats(texts * 2)
    # 住消 (zhu4 xiao1) for 注销: no character kept, the same tones
    fixed, corrections = stats.correct("个体户不干了 去住消要交哪些材料", word_boundaries, is_general_word, specificity)
    assert "注销" in fixed and ("住消", "注销") in [(c.heard, c.meant) for c in corrections]
    # an everyday word is no such reading (龟订 is not 规定), and nothing is read without a measure of how specific
    assert stats.correct("龟订", word_boundaries, is_general_word, specificity)[1] == []
    assert stats.correct("去住消要交哪些材料", word_boundaries, is_general_word)[1] == []


def test_a_term_heard_fused_with_the_character_before_is_read_unless_that_makes_a_known_word() -> None:
    texts = ["职工应当按时缴存住房公积金。", "单位为职工缴存公积金。", "公积金账户的余额可以提取。", "护理的费用由基金支付。",
             "职工的账户由管理中心设立。"]
    stats = TermStats(texts * 2)
    # cut 交工|积金: the heard 工积金 began inside a two-character word with 交
    fixed, corrections = stats.correct("能在这边交工积金吗", word_boundaries, is_general_word, specificity)
    assert fixed == "能在这边交公积金吗" and [(c.heard, c.meant) for c in corrections] == [("工积金", "公积金")]
    # 账户 is the knowledge base's own word: 户里的 inside it is not a misheard 护理的
    said = "公积金账户里的余额对不上"
    assert stats.correct(said, word_boundaries, is_general_word, specificity) == (said, [])


def test_any_string_is_read_without_error_and_keeps_its_length() -> None:
    """Careless and hostile input through every reading, another tone's included: emoji, Latin, characters with no
    pinyin, function characters, nothing."""
    import random

    texts = ["殡葬管理工作由民政部门负责。", "申请最低生活保障，按照下列程序办理。", "住房公积金由单位缴存。", "补缴社会保险费。"]
    stats = TermStats(texts * 3)
    chars = list("宾葬殡低底保报共公积金补叫缴的得有由不改个革😊A1 ，？\n嗯〇龘") + ["𠀀"]
    rng = random.Random(3)
    for _ in range(500):
        question = "".join(rng.choice(chars) for _ in range(rng.randint(0, 12)))
        read, corrections = stats.correct(question, word_boundaries, is_general_word, specificity)
        assert len(read) == len(question), question
        assert all(c.heard in question and len(c.heard) == len(c.meant) for c in corrections), question


def test_a_modal_word_is_no_context_for_reading_the_rest_as_a_term() -> None:
    # the veterans' law says 可以易地安置; 可以异地办吗 asks about doing it elsewhere, and 可以 says nothing of which
    stats = TermStats(["退役军人可以易地安置。", "符合条件的可以易地安置。", "职工申请工伤认定。", "工伤认定申请表。"] * 2)
    assert stats.correct("可以异地办吗", word_boundaries, is_general_word)[1] == []
    fixed, _ = stats.correct("工商认定要多久", word_boundaries, is_general_word)  # 认定 is context
    assert fixed.startswith("工伤认定")
