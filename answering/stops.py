"""Whether a benefit keeps being paid or a certificate or status keeps holding, as a citizen asks it (找到工作了 那失业金
还能接着领吗, 退役金还给不给我发, 这证现在还管用不, 会不会给停了) and as an article states it (停止领取失业保险金;
停发退役金; 使用功能中止; 注销职工住房公积金账户).

A question asking that is answered only by an article stating when it stops or ends, or that it goes on (继续有效,
照发): 失业保险条例 第十六条 (the employer's certificate and the registration) shares every word of 我在领失业金呢
找到工作了 还能接着领吗 but says nothing of when payment stops.
"""

from __future__ import annotations

import re

_KEEP = r"(?:接着|继续|照常|照样|往下|一直)"
_HAVE = r"(?:领|拿|发|给|享受|吃|报销?)"
_ENDED = r"(?:停|停发|停掉|停止|断|注销|吊销|作废|收回|收走|取消|销户|失效|撤销|没收)"
_YES_NO = r"[^，。？?\s]{0,6}?(?:吗|么|不|没|呢)"
ASKED = re.compile(
    # 还能接着领吗, 还接着给我发吗, 还给不给, 还发不发, 还能往下领吗
    rf"还(?:能|可以|会|让)?(?:不能)?{_KEEP}?(?:给|让)?(?:我|俺|他|她)?{_HAVE}{_YES_NO}"
    rf"|还{_HAVE}不{_HAVE}|还能不能{_KEEP}?{_HAVE}"
    # 旧的还能用吗 (还用不用重新办 asks whether one needs to); 退休以后还用接着交吗
    rf"|还(?:能|可以)(?:不能)?{_KEEP}?(?:拿着)?用|还(?:用|要|得)?{_KEEP}(?:交|缴)"
    # 会不会给停了, 是不是就给注销了, 会被吊销吗
    rf"|(?:会不会|是不是|会|要)(?:就|也)?(?:被|给|让)?{_ENDED}"
    # 这证现在还管用不, 还算不算数, 还有效吗
    r"|还(?:管用|有效|算数|作数|算不算数|有没有效|能用)"
    # 失业保险金在什么情况下停止领取
    rf"|(?:什么|哪些|啥)(?:情况|情形|时候)下?(?:会|要|就)?(?:被)?{_ENDED}"
)
# what goes on or ends: a benefit, a payment, a certificate or a status (伤残津贴, 低保, 工资, 旧身份证, 户口)
_THING = re.compile(r"金|津贴|补贴|补助|救助|工资|费|待遇|保险|低保|医保|社保|账户|户口|资格|证|照|簿|许可")
# a payment named by what it is for (伤残津贴, 护理补贴, 供养亲属抚恤金)
_PAYMENT = re.compile(r"[\u4e00-\u9fff]{2}(?:津贴|补贴|抚恤金)")
# asked how long or how much, not whether it goes on (还能领多久, 还能拿多少)
_HOW_MUCH = re.compile(r"多久|多长|多少|几")
# 除了退役金 地方上还给补助吗: 还 is "also", not "still"
_BESIDES = re.compile(r"除了|以外|之外")
# …or that it goes on (本条例施行前…颁发的…继续有效; 退休后不再缴纳; 与前次失业…尚未领取的…期限合并计算; 停工留薪期内，
# 原工资福利待遇不变)
STATED = re.compile(
    r"停止(?:领取|享受|发放|支付|供养|救助|使用|执行)|停发|不再(?:享受|领取|发放|给予|具有|支付|缴纳|缴费)"
    r"|注销|作废|失效|吊销|收回|撤销|缴销|中止|终止(?:供养|救助|发放|享受|领取|待遇)|取消[^，。；]{0,8}资格"
    r"|继续(?:有效|领取|享受|发放|缴纳|使用)|仍然?(?:有效|可以)|照发|合并计算|待遇不变"
)


def asks_stop(text: str) -> bool:
    """Whether the text asks whether something goes on or ends (那失业金还能接着领吗, 会不会给停了, 这证还管用不)."""
    match = ASKED.search(text)
    return bool(match) and not _HOW_MUCH.search(text[match.start():]) and not _BESIDES.search(text[:match.start()])


# what is left of an earlier spell's months (上回没领完的还能接着领不): the statutes merge them with the new spell's
# (合并计算); what is left of the present one (才领两个月 要去当兵了 剩下那几个月还给不给) stops or goes on
_REMAINDER = re.compile(r"没领完|没领的|剩下|剩的|剩余|还剩")
_EARLIER_SPELL = re.compile(r"上回|上次|前次|那回|那次|以前|之前|又失业|又被|又丢|再次|又没")


def searched_stop_words(text: str) -> str:
    """The statutes' words searched beside a question asking whether something goes on: 合并计算 for what is left of
    an earlier spell, else 停止."""
    return "合并计算" if _REMAINDER.search(text) and _EARLIER_SPELL.search(text) else "停止"


def states_stop(passage: str) -> bool:
    """Whether the passage states when something stops or ends (有下列情形之一的，停止领取失业保险金), or that it goes on
    (在其有效期内，继续有效)."""
    return bool(STATED.search(passage))


def names_what_goes_on(text: str) -> bool:
    """Whether the text names a benefit, payment, certificate or status (伤残津贴什么时候停; not 找到工作了还能接着领吗)."""
    return bool(_THING.search(text))


def payment_named(text: str) -> str | None:
    """The payment a question names by what it is for (伤残津贴什么时候停 → 伤残津贴), or None."""
    match = _PAYMENT.search(text)
    return match.group(0) if match else None
