from __future__ import annotations

from knowledge_base.renames import Rename, renamed_terms

OLDER = [
    "第十一条 本条例所称低收入困难家庭，是指未纳入最低生活保障范围的本市户籍家庭。",
    "第十七条 低收入困难家庭有医疗、教育、住房等特殊困难的，给予相应专项救助。",
    "第十八条 对支出型贫困家庭，按月发放生活救助金。",
    "第二十条 救助申请应当在三十日内审核完毕。",
]
NEWER = [
    "第十一条 本条例所称最低生活保障边缘家庭，是指未纳入最低生活保障范围的本市户籍家庭。",
    "第十七条 最低生活保障边缘家庭有医疗、教育、住房、就业等特殊困难的，给予相应专项救助。",
    "第十八条 对刚性支出困难家庭，按月发放生活救助金。",
    "第二十条 救助申请应当在二十日内审核完毕。",
]


def test_a_name_changed_in_several_articles_is_a_rename() -> None:
    assert renamed_terms(OLDER, NEWER) == [("低收入困难家庭", "最低生活保障边缘家庭")]


def test_a_change_made_once_or_a_changed_figure_is_an_edit_not_a_rename() -> None:
    # 支出型贫困家庭 changes in one article only; 三十日 → 二十日 is a changed period
    found = dict(renamed_terms(OLDER, NEWER))
    assert "支出型贫困家庭" not in found and "三十日" not in found
    twice = OLDER + ["第十九条 对支出型贫困家庭，给予就业救助。"]
    assert dict(renamed_terms(twice, NEWER + ["第十九条 对刚性支出困难家庭，给予就业救助。"]))["支出型贫困家庭"] == "刚性支出困难家庭"


def test_a_term_still_used_by_the_newer_version_is_not_renamed() -> None:
    newer = [*NEWER, "第三十条 原低收入困难家庭的认定继续有效。"]
    assert renamed_terms(OLDER, newer) == []
    # nor is a longer phrase built on it (低收入困难家庭成员 → 最低生活保障边缘家庭成员)
    older = [*OLDER, "第二十一条 低收入困难家庭成员就业的，给予就业救助。", "第二十二条 低收入困难家庭成员患病的，给予医疗救助。"]
    newer = [*newer, "第二十一条 最低生活保障边缘家庭成员就业的，给予就业救助。", "第二十二条 最低生活保障边缘家庭成员患病的，给予医疗救助。"]
    assert renamed_terms(older, newer) == []


def test_unrelated_or_missing_versions_give_nothing() -> None:
    assert renamed_terms([], NEWER) == [] and renamed_terms(OLDER, []) == []
    assert renamed_terms(OLDER, ["第一条 为了规范婚姻登记工作，制定本条例。"] * 4) == []


def test_the_older_version_is_named_by_its_year() -> None:
    assert Rename("甲", "乙", "条例", "2018-11-22", "2024-12-31").old_year() == "2018年"
    assert Rename("甲", "乙", "条例", "2018-11-22", "2024-12-31").new_year() == "2024年"
    assert Rename("甲", "乙", "条例", None, None).old_year() == "旧"
