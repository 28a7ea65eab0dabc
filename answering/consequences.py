"""What follows breaking a rule or not doing what one must, as a citizen asks it (会怎么样, 会受什么处罚, 查出来会咋样)
and as an article states it (责令改正, 处…罚款, 停止享受…待遇, 使用功能中止, 责令退还).

A question asking that is answered only by an article stating a consequence: 家长不送孩子上学 会怎么样 had quoted
义务教育法 第十一条 (the parents' duty to send a child to school) above 第五十八条 (批评教育，责令限期改正), and the
sentence spoken of the article chosen is the one that states it.
"""

from __future__ import annotations

import re

ASKED = re.compile(
    r"会怎么?样|会咋样|会怎么办|有什么后果|有啥后果|什么后果|会有什么影响|有什么影响|有啥影响|会不会被?罚|会被罚|罚不罚|要罚|罚多少"
    r"|怎么处罚|咋处罚|受(?:到)?(?:什么|啥|哪些)处罚|会被?处罚|会被?(?:怎么|如何|咋)处理|查出来|被查到|查到了|被发现"
)
# 不予受理, 不予登记 is the office declining an application, which no act asked about brings on by itself (瞒着已婚再去
# 登记 had quoted 婚姻登记条例 第七条's 不符合结婚条件不予登记)
STATED = re.compile(
    r"逾期|未[^，。；]{1,16}的[，,]|中止|停止|暂停|停发|减发|取消|责令|罚款|处罚|视为|追究|撤销|吊销|没收|退回|退还"
    r"|警告|拘留|收缴|追回|追缴"
)


def asks_consequence(text: str) -> bool:
    """Whether the text asks what follows an act or an omission (忘了签会咋样, 被查出来会怎么样, 罚多少)."""
    return bool(ASKED.search(text))


def states_consequence(passage: str) -> bool:
    """Whether the passage states what follows one (逾期未签注的，居住证使用功能中止; 由公安机关处…罚款)."""
    return bool(STATED.search(passage))
