from knowledge_base.question import is_general_word, words
from knowledge_base.small_words import read_small_words


def _read(text: str) -> str:
    return read_small_words(text, is_general_word, lambda t: next(iter(words(t)), ""))[0]


def test_question_particles_heard_as_other_syllables_are_read_back() -> None:
    assert _read("孩子上小学初中，学费杂费要交忙。") == "孩子上小学初中，学费杂费要交吗。"
    assert _read("工伤在家养伤这段时间，老板还给发工资码") == "工伤在家养伤这段时间，老板还给发工资吗"
    assert _read("这合法卖？") == "这合法吗？"
    assert _read("换身份证还要交钱部。") == "换身份证还要交钱不。"


def test_a_particle_is_not_read_where_the_heard_character_ends_a_word_or_is_bought() -> None:
    for said in ("你能帮个忙", "密码", "我想开个小卖部", "骨灰盒是不是必须在他们那买", "在哪买", "出不了门",
                 "身份证丢了怎么补", "结婚证弄丢了 去哪补", "去哪个部门"):
        assert _read(said) == said


def test_sha_after_an_asking_verb_is_read_as_what() -> None:
    assert _read("办居住证需要带傻材料") == "办居住证需要带啥材料"
    assert _read("会有杀后果") == "会有啥后果"
    assert _read("要办傻手续") == "要办啥手续"
    assert _read("他被人打杀了") == "他被人打杀了"  # no asking verb before it
    assert _read("家里买了个沙发") == "家里买了个沙发"


def test_ban_is_read_as_ban_the_service_only_before_a_service_or_ending_a_clause() -> None:
    assert _read("半居住证要带啥") == "办居住证要带啥"
    assert _read("孩子十六了，得去半身份证") == "孩子十六了，得去办身份证"
    assert _read("助学贷款去哪半") == "助学贷款去哪办"
    assert _read("半户口的窗口在哪") == "办户口的窗口在哪"
    for said in ("半年内要去登记", "费用减半", "一半", "还剩一半。", "半夜还在排队", "半个月能办好吗"):
        assert _read(said) == said


def test_each_reading_is_reported() -> None:
    _, corrections = read_small_words("半居住证要带傻", is_general_word, lambda t: next(iter(words(t)), ""))
    assert [(c.heard, c.meant) for c in corrections] == [("半", "办"), ("带傻", "带啥")]


def test_everyday_sentences_are_read_as_said() -> None:
    for said in ("今天天气怎么样", "能帮我复印一下吗", "他已经去世好几年了", "我最近工作很忙", "你们这儿太忙了",
                 "这个号码对不对", "验证码收不到", "我想去超市买点东西", "在哪儿能买到", "这个能买", "马上就到",
                 "我去过那个部门", "他是村干部", "材料就这些 这是全部", "下一步", "半小时以后再来", "一个半月",
                 "电脑要装杀毒软件", "大厅里有沙发吗", "这人真傻", "签了买卖合同", "我想买块布", "您先忙"):
        assert _read(said) == said, said


def test_a_question_is_read_for_its_small_words_and_then_for_the_knowledge_bases_own() -> None:
    from knowledge_base.retriever import _read
    from knowledge_base.terms import TermStats

    stats = TermStats(["申领居住证，应当提交本人居民身份证。"] * 3)
    understood, corrections = _read("半居住正要带傻", stats)
    assert understood == "办居住证要带啥"
    assert {(c.heard, c.meant) for c in corrections} >= {("半", "办"), ("带傻", "带啥")}


def test_any_string_is_read_for_small_words_without_error_and_keeps_its_length() -> None:
    """Careless and hostile input through both readings: emoji, Latin, characters with no pinyin, punctuation, nothing."""
    import random

    from knowledge_base.retriever import _read
    from knowledge_base.terms import TermStats

    stats = TermStats(["个体工商户可以申请注销登记。", "职工应当按时缴存住房公积金。", "申领居住证应当提交材料。"] * 3)
    chars = list("半办傻杀沙忙码买卖部步补住消交工积金居住正证要带有一大 ，。？\n😊A1嗯〇龘") + ["𠀀"]
    rng = random.Random(5)
    for _ in range(500):
        question = "".join(rng.choice(chars) for _ in range(rng.randint(0, 14)))
        read, corrections = _read(question, stats)
        assert len(read) == len(question), question
        assert all(len(c.heard) == len(c.meant) for c in corrections), question
