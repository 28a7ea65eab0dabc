from __future__ import annotations

from answering.applying import from_the_first_stating, states_applicants_part, states_whom_one_applies_to
from tests.unit.answering_fakes import hit

_EXAMINES = hit(
    "婚姻登记条例", "第七条",
    "第七条 婚姻登记机关应当对结婚登记当事人出具的证件、证明材料进行审查并询问相关情况。对当事人符合结婚条件的，应当当场予以登记，发给结婚证。",
)
_MATERIALS = hit("婚姻登记条例", "第五条", "第五条 办理结婚登记的内地居民应当出具下列证件和证明材料：", score=0.12)
_GO_TOGETHER = hit(
    "婚姻登记条例", "第四条", "第四条 内地居民结婚，男女双方应当共同到一方当事人常住户口所在地的婚姻登记机关办理结婚登记。", score=0.04
)


def test_where_one_goes_what_one_hands_in_and_the_steps_are_the_applicants_part() -> None:
    assert states_applicants_part(_GO_TOGETHER.text) and states_applicants_part(_MATERIALS.text)
    assert states_applicants_part("第七条 申请享受城市居民最低生活保障待遇，由户主向户籍所在地的街道办事处或者镇人民政府提出书面申请")
    assert states_applicants_part("第十一条 申请最低生活保障，按照下列程序办理：")
    assert states_applicants_part("第十条 申请领取居民身份证，应当填写《居民身份证申领登记表》，交验居民户口簿。")
    # by when, then where one goes
    assert states_applicants_part("第七条 公民应当自年满十六周岁之日起三个月内，向常住户口所在地的公安机关申请领取居民身份证。")


def test_what_the_office_does_once_one_has_applied_is_not() -> None:
    assert not states_applicants_part(_EXAMINES.text)
    assert not states_applicants_part(
        "第十八条 申请材料齐全、符合法定形式的，登记机关予以确认，并当场登记。不予当场登记的，登记机关应当向申请人出具接收申请材料凭证。"
    )
    # the office's period, counted from the day the form was handed in
    assert not states_applicants_part(
        "第十二条 公民申请领取、换领、补领居民身份证，公安机关应当按照规定及时予以办理。公安机关应当自公民提交《居民身份证申领登记表》之日起"
        "六十日内发放居民身份证"
    )


def test_the_first_passage_stating_the_applicants_part_comes_first_when_one_was_found() -> None:
    applicants = states_applicants_part
    assert from_the_first_stating([_EXAMINES, _MATERIALS, _GO_TOGETHER], applicants) == [_MATERIALS, _GO_TOGETHER]
    assert from_the_first_stating([_GO_TOGETHER, _EXAMINES], applicants) == [_GO_TOGETHER, _EXAMINES]
    assert from_the_first_stating([_EXAMINES], applicants) == [_EXAMINES]
    assert from_the_first_stating([], applicants) == []


def test_whom_one_applies_to_is_an_office_or_place_one_applies_to() -> None:
    passport = hit("护照法", "第五条", "第五条 公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国的，由本人向户籍所在地的县级以上地方人民政府公安机关出入境管理机构申请普通护照。")
    issuer = hit("护照法", "第四条", "第四条 普通护照由公安部出入境管理机构或者公安部委托的县级以上地方人民政府公安机关出入境管理机构签发。")
    assert states_whom_one_applies_to(passport.text) and not states_whom_one_applies_to(issuer.text)
    assert not states_whom_one_applies_to("登记机关应当向申请人出具接收申请材料凭证")
    assert states_whom_one_applies_to("第二条 内地居民办理婚姻登记的机关是县级人民政府民政部门或者乡（镇）人民政府")
    # applying by handing documents in to an office (想弄个居住证 上哪儿办 had been refused for this)
    assert states_whom_one_applies_to("申领居住证，应当向居住地公安派出所或者受公安机关委托的社区服务机构提交本人居民身份证")
    assert from_the_first_stating([issuer, passport], states_whom_one_applies_to) == [passport]


def test_where_one_goes_is_taken_from_the_same_law_only() -> None:
    """身份证丢了要去哪里补办: 居民身份证法 第十一条 names no office; 居住证暂行条例 第十一条 names one, for another card."""
    id_card = hit("中华人民共和国居民身份证法", "第十一条", "第十一条 居民身份证丢失的，应当申请补领。")
    residence = hit("居住证暂行条例", "第十一条", "第十一条 居住证丢失的，居住证持有人应当到居住地公安派出所或者社区服务机构办理补领。")
    found = [id_card, residence]
    assert from_the_first_stating(found, states_whom_one_applies_to) == [residence]
    assert from_the_first_stating(found, states_whom_one_applies_to, same_document=True) == found
