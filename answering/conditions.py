"""Who may have a service or benefit, as a citizen asks it (办居住证需要什么条件, 什么人可以领养老金, 我这样够条件吗,
or one's own case told and then 这种能领失业金吗) and as an article states it (符合…条件之一的，可以…申领; 具备下列条件的
失业人员，可以领取; 国家对…的家庭，给予最低生活保障).

A question asking that is answered only by an article stating who qualifies: 办居住证需要什么条件 had quoted
居住证暂行条例 第九条 (the materials, and what the office does 对符合…条件的) above 第二条, and 提取公积金需要什么条件
第二十五条 (the procedure) above 第二十四条 (职工有下列情形之一的，可以提取).
"""

from __future__ import annotations

import re

from knowledge_base.question import CLAUSE

_GET = r"(?:领|申请|申领|享受|办|吃|拿|提取|获得|上)"
ASKED = re.compile(
    r"(?:有|需要|要|得|需|满足|具备|符合|够)(?:什么|啥|哪些|哪样)(?:样的)?(?:条件|资格)|什么条件|啥条件|哪些条件"
    r"|条件是什么|条件是啥|条件有哪些|有没有条件|够不够条件|够条件吗|才(?:算|能)?够条件|够不够格|符不符合条件|符合条件吗|有没有资格|有资格吗|门槛"
    rf"|(?:什么|哪些|哪种|啥)(?:样的?)?人(?:才)?(?:能|可以|有资格){_GET}|谁(?:才)?(?:能|可以|有资格){_GET}"
)
# a condition followed by what the person then may do or is given; not what an office does for those who qualify
# (对符合居住证办理条件的，公安机关应当…发放) nor a penalty (…的，可以处…罚款; 对…的，给予处分)
_PERMITTED = r"(?:可以|有权|方可|均可|均有|即可|按月)(?!处)"
_NOT_AFTER_TO = "".join(f"(?<!对{'.' * n})" for n in range(7))  # 对当事人符合结婚条件的，应当…: what the office does
STATED = re.compile(
    r"具备下列条件|符合下列条件|下列条件之一|条件之一的|条件(?:为|是)(?!否)"
    # …or who is turned away (办理结婚登记的当事人有下列情形之一的，婚姻登记机关不予登记)
    r"|有下列情形之一的[，,][^。；：:]{0,20}不予"
    rf"|{_NOT_AFTER_TO}(?:符合|具备)[^，。；]{{0,30}}条件的"
    rf"|的[，,][^，。；]{{0,12}}?{_PERMITTED}(?:依法)?[^，。；代托]{{0,16}}?(?:申请|申领|领取|提取|享受|享有|获得|纳入|参加)"
    # whom a benefit is for (临时救助对象，是指具有下列情形之一的家庭或者个人)
    r"|对象[，,]?(?:是指|是|为|包括)"
    r"|(?:对[^。；]{8,160}?[，,]|的[，,](?:[^，。；]{0,8}[，,])?|对[^，。；]{4,40}?)给予(?![^，。；]{0,8}(?:处分|警告|处罚|罚款))"
    # what the office grants to whoever meets what it names (对当事人确属自愿离婚，并已…达成一致处理意见的，应当当场予以登记)
    r"|对(?![^，。；]{0,6}符合)[^。；]{6,80}?的[，,][^。；]{0,12}?应当[^，。；]{0,8}?(?:予以登记|发给|批准|准予)"
)


# whether one's own case qualifies, asked after telling it (我被公司辞退了 这种能领失业金吗): the last clause asks whether
# one may get or apply for something, not when, how long or what (多久能办好, 失业金能领多久, 能拿到什么补助吗);
# 能补办吗, 能让家里人代办吗, 能在网上申请吗 ask something else
_OWN_CASE = re.compile(
    r"(?:能|可以)(?:不能|不可以)?(?:领取?|申领|享受|吃|拿|申请|办理?|获得|提取|[取提]出来)(?!好|完|下来|成|不了)[^，。？?]{0,14}"
    r"(?:吗|么|不|没|呢)?$"
)
_NOT_YES_OR_NO = re.compile(r"多久|多长|几|多少|什么|啥|哪|怎么|咋|当天|何时")
# whether money held for one may be taken out or used for a payment (公积金能取出来交房租吗, 公积金能用来还房贷吗,
# 公积金租房能取吗): the cases it may be are the conditions, not how it is taken out nor the loan one may apply for
_FOR_A_PAYMENT = re.compile(
    r"(?:能|可以)(?:不能|不可以)?(?:[取提](?:出来)?(?:用来|用于|来|去)?|用来|用于)(?:交|付|还)"
    r"|(?:租房|买房|还贷|还房贷|交房租|付房租)(?:的话)?(?:能|可以)(?:不能|不可以)?[取提]"
)
_TAKEN_OUT = re.compile(r"[取提]出来|提取|(?:能|可以)(?:不能|不可以)?[取提]|用来还|用于还")
# the statutes' words for the cases money may be taken out in (职工有下列情形之一的，可以提取…)
TAKING_OUT_SAID = "下列情形之一的 可以提取"


def asks_conditions(text: str) -> bool:
    """Whether the text asks who qualifies (领失业金要什么条件, 什么人能申请低保, 我家够不够条件, 我被公司辞退了 这种能领
    失业金吗)."""
    if ASKED.search(text) or _FOR_A_PAYMENT.search(text):
        return True
    clauses = [c for c in CLAUSE.split(text) if c]
    return len(clauses) > 1 and bool(_OWN_CASE.search(clauses[-1])) and not _NOT_YES_OR_NO.search(clauses[-1])


def asks_to_take_out(text: str) -> bool:
    """Whether the text asks who qualifies to take money out (提取公积金需要什么条件, 出国定居了 公积金能取出来吗)."""
    return asks_conditions(text) and bool(_TAKEN_OUT.search(text))


def states_conditions(passage: str) -> bool:
    """Whether the passage states who qualifies (具备下列条件的失业人员，可以领取失业保险金)."""
    return bool(STATED.search(passage))
