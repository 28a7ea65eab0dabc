"""Which office handles something, as a citizen asks it in a question of its own (低保是哪个部门批的, 临时救助该找谁申请,
护照去哪办), and whether an article names any office at all.

An article naming no office or body cannot say which one handles it: 老公突然查出大病 临时救助该找谁申请 had quoted
社会救助暂行办法 第四十七条 (who may have temporary assistance), first in relevance, which names none. 在哪 alone may ask any
place (孩子在哪上学), so only 在哪 with what is done there is read. Which of two places one applies or collects in (是在广州领
还是在湛江领) asks the same, and the place whose office it is (户籍所在地) answers it: 社会保险法 第十九条 (the pension
record goes with one from city to city) had been quoted for it, and names neither.
"""

from __future__ import annotations

import re

from knowledge_base.question import analyse

ASKED = re.compile(
    r"哪个(?:部门|单位|机关|机构|窗口)|什么(?:部门|单位|机构|机关)|啥部门|找谁|找哪|向谁|归谁管|归哪|谁管"
    r"|谁(?:审批|批|负责|受理|认定|开|发)|(?:去|到|上|在)哪(?:儿|里)?(?:办|申请|申报|领|交|补|换|登记|认定|开|打印|提)"
    # 是在广州领还是在湛江领, 在上海这边申请还是得回安徽申请: which of two places
    r"|(?:在|去|回|到)[\u4e00-\u9fff]{1,8}?(?:办|申请|领|交|登记|认定|补|换|报|享受)[\u4e00-\u9fff]{0,3}?还是(?:直接|得|要|就)?(?:在|去|回|到)"
)
# …or the place whose office it is (户籍所在地, 经常居住地, 住所地)
NAMED = re.compile(
    r"机关|部门|机构|中心|办事处|人民政府|派出所|委员会|组织|医院|法院|学校|单位|窗口|银行|所在地|户籍地|居住地|住所地"
)


# where one goes or whom one applies to (护照去哪个部门办, 临时救助该找谁申请), not who approves, issues or decides
# (低保是哪个部门批的): the article saying whom one applies to answers it, not the one naming who issues the passport
_WHERE_TO_APPLY = re.compile(
    r"(?:去|到|上|在)哪(?:儿|里|个部门|个单位|个窗口|个机关)?(?:办|申请|申报|领|交|补|换|登记)"
    r"|(?:找谁|向谁|找哪个部门|找哪儿|找哪里)(?:办|申请|申报|领)|哪个(?:部门|单位|窗口|机关)(?:办|申请|申报|领|交)"
)


def asks_office(text: str) -> bool:
    """Whether the text asks which office handles something or where to apply (工伤认定找谁申请, 护照去哪办)."""
    return bool(ASKED.search(text))


def asks_where_to_apply(text: str) -> bool:
    """Whether the text asks where one goes or whom one applies to (护照去哪个部门办, 临时救助该找谁申请)."""
    return bool(_WHERE_TO_APPLY.search(text))


def names_office(passage: str) -> bool:
    """Whether the passage names any office or body (向乡镇人民政府、街道办事处提出, 由学校…实施)."""
    return bool(NAMED.search(passage))


def names_what_is_applied_for(text: str) -> bool:
    """Whether the text names something besides an office (护照去哪个部门办: 护照), so that the search found the law on
    it; 去哪个部门申请 alone names nothing, and the law found first is any law that names an office."""
    return any(not NAMED.search(word) for word in analyse(text).subject_words)
