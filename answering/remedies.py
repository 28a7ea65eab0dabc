"""How to challenge or report a decision or an act, as a citizen asks it (我不服 能去哪儿说理, 不批我的低保 能告他们吗,
老板不给交社保 上哪儿举报, 信息公开申请被拒了怎么办) and as an article states it (可以依法申请行政复议或者提起行政诉讼; 有权…
进行举报、投诉; 提出再次鉴定申请).

A question asking that is answered only by an article stating a way to do it: an article on what was decided (who
qualifies for 低保, what counts as a work injury) says nothing of what one may do about the decision.
"""

from __future__ import annotations

import re

# 告 as suing, not 告诉 / 告知 / 报告 / 公告 / 通告 / 广告 / 警告
_SUE = r"(?<![报广公通布警宣预转劝忠祷被原])告(?![诉知示别诫])"
_TURNED_DOWN = r"(?:拒|驳回|不批|没批|没给批|不予|没通过|不受理|不给(?:我|俺)?(?:办|批|签发|发|开|登记|受理))"
ASKED = re.compile(
    rf"不服(?!从)|冤|说理|(?:讨|找|要)(?:个)?说法|讨公道|{_SUE}|起诉|打官司|复议|诉讼|申诉"
    rf"|{_TURNED_DOWN}[^。？?]{{0,10}}(?:怎么办|咋办|怎么弄|能怎么|有(?:什么|啥)办法)"
    # reporting an act, or asking again what was assessed (复查鉴定; not a doctor's 复查)
    r"|投诉|举报|检举|控告|维权|(?:去|找|上|到)哪(?:儿|里)?反映|有意见|重新鉴定|再次鉴定|再鉴定|复查鉴定|申请复查"
)
STATED = re.compile(r"复议|诉讼|投诉|举报|申诉|控告|检举|仲裁|调解|再次鉴定|复查|要求有关部门(?:依法)?处理")


def asks_remedy(text: str) -> bool:
    """Whether the text asks how to challenge or report a decision or an act (工伤认定结论我不服 能去告吗)."""
    return bool(ASKED.search(text))


def states_remedy(passage: str) -> bool:
    """Whether the passage states a way to (可以依法申请行政复议或者提起行政诉讼; 有权…进行举报、投诉)."""
    return bool(STATED.search(passage))
