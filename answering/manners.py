"""How a service is done, as a citizen asks after naming it: for someone else (可以找人代办吗), in person
(需要本人到场吗), online (网上能办吗), where (去哪个部门办), faster (能加急吗), at home (能上门办吗), by post (能邮寄吗),
away from home (可以异地办吗), whether one must at all (必须办吗, 可以不办吗), how long the office takes (要多久,
几天能批下来), how long it lasts (有效期多久), once expired (过期了怎么办), what follows if one does not (不办会怎样),
which form to fill in (要填什么表), whether a medical check is needed (需要体检吗), how the certificate is handed over
(办好了怎么拿), what one must meet (有什么条件), what to do when refused (办不下来怎么办), and whether to bring a
document (要带户口本吗, 要几张照片); and whether a mistake can be put right, an application withdrawn or a
certificate issued (办错了能改吗, 可以撤回吗, 能开证明吗).

Such a turn leans on the previous question (answering/followups.py) and is searched under its topic, which finds
that topic's best article whatever the turn asks. An article is quoted for it only when it says something of the
manner asked: who applies, where, by what means, or what follows an omission.
"""

from __future__ import annotations

import re

from knowledge_base.question import (
    CERTIFICATE_TAILS,
    CLAUSE,
    FOLLOWUP_SEPARATOR,
    NAMED_DOCUMENTS,
    analyse,
    names_topic,
    own_line,
)
from knowledge_base.relevance import present

# who applies (由户主、亲属…申报), not a reason (事由请求加急办理), a course (经由) or the office that handles it
# (由不动产所在地的…登记机构办理, 由受委托银行办理支付手续)
_BY_WHOM = r"(?<![事理缘因经自])由(?:(?!机关|机构|部门|政府|银行|中心)[^，。；：]){1,25}(?:申报|申请|办理|提出|领取)"
# someone who may act for the applicant; an office or bank 受…委托 (受公安机关委托的社区服务机构, 受委托银行) is no
# one's proxy
_PROXY = rf"(?<!受)委托(?!的)|代为|代理|代办|代领|他人|监护人|近亲属|亲属|家属|抚养人|户主|{_BY_WHOM}"
_AGENT = r"(?:别人|他人|家人|家里人|亲戚|亲属|子女|孩子|儿子|女儿|律师|朋友|同事|老伴|爱人|家长|中介)"
# who goes, in a turn asking whether someone else may or one must go oneself: no topic of its own
_WHO_GOES = re.compile(rf"{_AGENT}|爷爷|奶奶|姥姥|姥爷|外公|外婆|父母|爸妈|爸爸|妈妈|老公|老婆|丈夫|妻子|夫妻|双方|两个人|"
                       r"两人|俩人|一个人|本人|我们|咱们")
# …or who issues something (单位要给开证明吗), or the service's own verb said again (补办有什么条件)
_WHO_ISSUES_OR_DOING = re.compile(r"用人单位|单位|公司|老板|补办|补领|换领|换发|申领|申请|办理|提取|领取")
_ATTEND = r"亲自|到场|现场|当面|共同到|持[^，。；]{1,30}到"  # having to come, which also answers whether it is online
_IN_PERSON = rf"{_ATTEND}|本人(?:到|持|向|申请|申报|办理|提出|携带)|由本人"
# the office of where one is registered or lives, which handles it (户籍所在地的…公安机关, 居住地公安派出所); not a
# mention of one's 常住户口所在地 in passing
_WHERE_REGISTERED = r"(?:所在地|居住地|户籍地|常住地)[^，。；]{0,15}(?:机关|部门|机构|人民政府|派出所|办理|申请|申报)"
# what one may have to do, asked (必须办, 一定要交, 可以不参加) and stated (应当…申请领取, 可以…申领, 应当实行火葬)
_DUTY_ASKED = r"办|交|缴|参加|登记|申请|领|上学|上户口|火化|买|入"
_DUTY_SAID = r"申请领取|申领|申请|办理|参加|缴纳|缴存|登记|入学|实行|接受|投保|加入"
# how long the office takes once one has applied (办居住证要带什么材料 / 要多久), asked as a period alone or with what
# is awaited (多久能拿到, 几天能批下来, 审批要多长时间), and stated as a period counted from the application
# (自受理之日起15日内, 自收到申请之日起10个工作日内) or as done on the spot (当场予以登记); not how long a benefit is
# paid (能领多久), how long a card is valid or how often it is renewed (每年签注1次), nor when a birth must be declared
_PERIOD = r"(?:多久|多长时间|多少天|几天|几个工作日|多少个工作日)"
_AWAITED = (
    r"(?:办好|办完|办下来|办结|办|拿到|领到|拿证|领证|拿|批|批下来|审批|审核|出结果|有结果|出来|下来|答复|回复|有决定|"
    r"有答复|到账|发下来|发证|出证)"
)
# …and a question of its own naming the service first (办居住证要用多长时间 had found 第十条, the yearly renewal); it
# names its own topic, so it is no follow-up
_SERVICE_THEN_PERIOD = rf"^(?:办|办理|申请|申领|补办|换)[^，。？?\s]{{1,8}}?(?:要|需要|得)(?:用|花)?(?:等)?{_PERIOD}"
_PROCESSING_ASKED = (
    rf"^(?:那|那么)?(?:大概|一般|大约|正常)?(?:要|需要|得)?(?:用|花)?(?:等)?{_PERIOD}(?:才)?(?:能|可以|会)?(?:给)?"
    rf"(?:{_AWAITED}[^，。？?]{{0,4}})?(?:啊|呀|呢|吗)?[\s？?。.！!～~…]*$|"
    rf"(?:审批|审核|办理|受理|认定|登记|办完|办好|交上去|申请)(?:以后|之后|后)?(?:要|需要|得|大概|一般)?(?:等)?{_PERIOD}"
)
_NUMBER_SAID = r"(?:[0-9]+|[一二三四五六七八九十百]+)"
_PROCESSING_SAID = (
    rf"自(?:受理|收到|接到|提交|公民提交)[^，。；]{{0,20}}?之日起的?{_NUMBER_SAID}个?(?:工作日|日|天)内|"
    r"当场(?:予以)?(?:登记|答复|办理|办结|作出|发给|签发|确认)"
)
Manner = tuple[str, re.Pattern[str], re.Pattern[str]]  # name, how a turn asks it, what an answering passage says


def _manner(name: str, asked: str, said: str) -> Manner:
    return name, re.compile(asked), re.compile(said)


# manner → how a turn asks it, and what a passage that answers it says. 身份证丢了怎么补办 / 可以找人代办吗 had quoted
# 居民身份证法 第十一条 (居民身份证丢失的，应当申请补领), which says nothing of who may apply.
_MANNERS: tuple[Manner, ...] = (
    # someone acting for the citizen, said as such: 家人去世了 names family, not an agent
    _manner(
        "代办",
        rf"代办|代理|代领|代交|代取|代签|代为|委托|找人|托人|[让叫请托由]{_AGENT}|{_AGENT}(?:帮|替|代)|"
        r"[替帮](?:我们?|他们?|她|老人|家里人|咱们)去?(?:办|去|领|交|取|申请)",
        _PROXY,
    ),
    # who else may apply answers whether one must come in person
    _manner(
        "本人到场",
        r"本人(?:必须|要|得|需要|一定要)?(?:到场|去|来|亲自)|亲自|到场|到现场|当面|自己去|自己来|一个人去|单独去|人得去|人要去|"
        r"人不去|不用去|一个人[^，。？?\s]{0,12}?(?:去|来)(?:领|办|登记)|(?:两个人|俩人|两人|双方)(?:都)?(?:得|要|必须|需要)(?:一起)?(?:去|到)",
        f"{_IN_PERSON}|{_PROXY}",
    ),
    # whether one must do it at all (身份证必须办吗, 可以不办居住证吗, 单位一定得给我交养老保险吗): an article that states
    # the duty or the choice (应当依照本法的规定申请领取, 可以依照本条例的规定申领, 应当参加, 可以免办), not the best
    # article on the service (居住证暂行条例 第九条, the materials, whose 可以由其监护人…代为申领 is someone else's and
    # 应当一次性告知申领人 the office's)
    _manner(
        "义务",
        # the verb is looked ahead at, not taken: 孩子必须上学吗 asks it of 上学, its own topic
        rf"(?:必须|一定(?:要|得)|非(?:得|要))(?=[^，。？?]{{0,6}}?(?:{_DUTY_ASKED}))|(?:可以|能|能不能|可不可以)不(?=(?:{_DUTY_ASKED}))|"
        rf"(?<=不)(?:{_DUTY_ASKED})(?:行不行|可以吗|行吗)|强制|是必须的|必须的吗",
        rf"(?:应当|必须|可以|自愿|有权|有义务|均须)[^，。；代]{{0,12}}?(?:{_DUTY_SAID})(?![人者表书])|免办|未经登记|强制",
    ),
    _manner(
        "网上办理",
        r"网上|线上|网络上|手机上|用手机|在手机|手机(?:能|可以)?办|在线|网站|[Aa][Pp][Pp]|小程序|电脑上|互联网|不见面|掌上|一网通办",
        rf"网上|网络|在线|互联网|信息系统|信息化|一网通办|平台|数据共享|信息共享|数据电文|电子(?:政务|签名|证照|化)|{_ATTEND}",
    ),
    _manner(
        "办理地点",
        r"去哪|到哪|在哪|哪里|哪儿|哪个部门|哪个单位|哪个机关|找谁|找哪|向谁|什么地方|什么部门|哪个窗口",
        rf"向[^，。；]{{0,20}}(?:机关|部门|机构|中心|办事处|人民政府|派出所)|{_WHERE_REGISTERED}|"
        r"(?:机关|部门|机构|中心|办事处|派出所|人民政府)(?:是|为|负责(?!人)|办理|申请|申报|登记|提出|受理|审核|签发|核发)",
    ),
    _manner("办理时限", _PROCESSING_ASKED, _PROCESSING_SAID),
    _manner("加急", r"加急|急用|急着用|加快|特事特办|快一点|快点办", r"加急|紧急|急需|当场|即时|立即"),
    _manner("上门", r"上门|到家里|到家来|入户|来家里", r"上门|入户|到家"),
    _manner("邮寄", r"邮寄|寄给|寄到|寄过来|快递|送到家|送上门", r"邮寄|寄送|寄递|送达|快递"),
    _manner(
        "异地办理",
        r"[异易]地|外地办|在外地|回老家|在这边办|在这边能办|在本地|跨省|跨市|就近|在(?:现在|目前)住的地方",
        rf"{_WHERE_REGISTERED}|[异易]地|就近|跨[^，。；]{{0,4}}(?:地区|省|市|区域)",
    ),
    _manner("有效期", r"有效期|管几年|能用多久|用多少年|多久过期|多久到期", r"有效期|有效|届满|期满|签注"),
    _manner("过期", r"过期|到期|期满|超期|逾期|失效", r"有效期|期满|届满|逾期|过期|失效|延期|延续|换领|换发|补办"),
    # …what follows not doing it; a fine alone may be for anything (骗领, a clerk's misconduct)
    _manner(
        "不办的后果",
        r"(?:[不没]|忘了|忘记)(?:按时|及时|按期)?(?:办|去|报|交|申请|登记|签注|签|换|续)[^，。？?]{0,4}(?:怎样|怎么样|咋样|后果|罚|影响)|"
        r"后果|会不会罚|罚款吗|罚多少|罚不罚",
        r"逾期|未按|不按|未在|未及时|(?:未|没有)(?:办理|申请|申报|登记|签注|缴纳|缴存|提交|提出|报到|领取)|视为|中止|暂停|补办|补缴|"
        r"滞纳金|失效|作废",
    ),
    # what one must meet (有什么条件, 要满足什么条件): a bare follow-up found the topic's best article whatever it says
    # (居住证暂行条例 第三条, what a residence permit is, after 办居住证要带什么材料)
    _manner(
        "条件",
        r"(?:有|需要|要|得|需|满足|具备|符合)(?:什么|啥|哪些)(?:样的)?(?:条件|要求|资格)|什么条件|啥条件|条件是什么|"
        r"条件有哪些|有没有条件|有条件吗|有什么要求|有啥要求",
        r"条件|符合|具备|有下列情形|方可|满[^，。；]{1,10}的|达到|以上的|以下的|低于|确属",
    ),
    # a form to fill in (要填什么表): the article names one (《…审批表》, 工伤认定申请表, 登记申请书)
    _manner(
        "填表",
        r"填(?:什么|啥|哪些|哪个|哪张|个|张)?(?:表|单子)|表格|申请表|登记表|审批表|申请书",
        r"《[^》]*表》|申请表|登记表|审批表|申报表|表格|申请书|格式文本|示范文本",
    ),
    _manner("体检", r"体检|检查身体|身体检查|查体", r"体检|身体检查|健康检查|医学检查|健康证明"),
    # how the certificate is handed over once done (办好了怎么拿, 当场能拿到吗)
    _manner(
        "领证",
        r"(?:办好|办完|办下来|批下来|下来|出来)了?(?:以后|之后)?(?:怎么|去哪|在哪|到哪|上哪)(?:拿|取|领)|"
        r"证(?:怎么|去哪|在哪|到哪|上哪)(?:拿|取|领)|(?:当场|当天|马上|现场)(?:就)?(?:能|可以)?(?:拿|取|领)",
        r"发给|发放|制发|颁发|签发|核发|送达|当场|通知",
    ),
    # …and what one can do when it is refused (办不下来怎么办, 不给批怎么办): a refusal's reasons, review or appeal
    _manner(
        "办不下来",
        r"办不下来|办不成|办不了|不给办|不给批|不批|没批|没通过|不通过|被拒|(?:认定|申请|审批|登记|批)不下来|"
        r"不给(?:登记|公开|签发|认定|发|受理)|不受理|不予",
        r"不予|不符合|不批准|复议|诉讼|说明理由|驳回|不准|不服|申诉",
    ),
    # a mistake put right (办错了能改吗, 登记错了怎么改), an application withdrawn (可以撤回吗), a certificate issued
    # (能开证明吗: 出具…证明, not the 证明材料 an applicant hands in)
    _manner(
        "更正",
        r"[办写填登记弄搞]错了|错了(?:能|可以|怎么)?改|能改吗|可以改吗|怎么改|更正|改正|修改",
        r"更正|变更|改正|修改|补正|更改",
    ),
    _manner("撤回", r"撤回|撤销申请|取消申请|不想办了|不办了|退回申请", r"撤回|撤诉"),  # 撤销 revokes a decision or a marriage
    _manner(
        "开证明",
        r"开(?:个|张|一个|一张)?证明|出(?:个|张)?证明|开具",
        r"(?:出具|开具|签发)[^，。；]{0,15}证明(?!材料)|证明书",
    ),
)


# what 除了…还 puts aside is given, not asked (除了人到场还得揣上啥证件 asks the documents, not whether one goes in person)
_PUT_ASIDE = re.compile(r"除了[^，。？?还]{1,12}?(?:以外|之外)?(?=还)")


def asked_manner(text: str) -> str | None:
    """How the previous question's service is done, when a follow-up asks that (需要本人到场吗 → 本人到场, 可以找人代办吗
    → 代办, 网上能办吗 → 网上办理, 不办会怎样 → 不办的后果), leaving aside what 除了…还 puts aside; None for any other
    turn."""
    asked = _PUT_ASIDE.sub("", text)
    return next((name for name, pattern, _ in _MANNERS if pattern.search(asked)), None)


def asks_only_a_manner(text: str) -> bool:
    """不去办会罚款吗, 能让家里人帮我办吗, 爷爷奶奶能替我们去办吗: a manner of the previous question's service, and
    besides it no topic but who goes or issues, or the service's verb (罚款 alone was searched as a question of its
    own and quoted 出境入境管理法's article on paying fines)."""
    rest = text
    for _, asked, _ in _MANNERS:
        rest = asked.sub("，", rest)
    return rest != text and not names_topic(analyse(_WHO_ISSUES_OR_DOING.sub("，", _WHO_GOES.sub("，", rest))))


def manner_in(clause: str, followup: bool, anywhere: frozenset[str] | None = None) -> str | None:
    """The manner a clause asks that an answer must speak to: any in a follow-up, and in a question that names its own
    topic only those `anywhere` (`IN_ANY_QUESTION` unless told; 骗取低保有什么后果 asks no manner of a service)."""
    manner = asked_manner(clause)
    read = IN_ANY_QUESTION if anywhere is None else anywhere
    return manner if manner is not None and (followup or manner in read) else None


def asked_of_service(question: str, followup: bool, anywhere: frozenset[str] | None = None) -> str | None:
    """The first manner a question's clauses ask (`manner_in`), or None."""
    clauses = CLAUSE.split(question)
    return next((m for clause in clauses if (m := manner_in(clause, followup, anywhere)) is not None), None)


def manner_stated(query: str) -> str | None:
    """The manner the turn searched as `query` asks that only an article stating it may answer, wherever it ranks:
    whether one must (the article stating the duty or the choice, not the best one on the service's materials) and
    how long the office takes (办居住证要带什么材料 / 要多久 found 第十条, on the yearly renewal, above 第九条's 15
    days). None for any other turn."""
    # how long the office takes is checked in a question of its own too (身份证丢了能在这边补吗 多久能拿到), though what
    # is spoken of the article is chosen as for any other question there (个人办社保登记领社保卡 一般几天能办完 hears
    # the registration and its 10 working days)
    anywhere = IN_ANY_QUESTION | _STATED_BY_THE_ARTICLE
    if FOLLOWUP_SEPARATOR not in query and asks_period_of_service(query):
        return "办理时限"
    manner = asked_of_service(own_line(query), FOLLOWUP_SEPARATOR in query, anywhere)
    return manner if manner in _STATED_BY_THE_ARTICLE else None


def asks_period_of_service(question: str) -> bool:
    """Whether a question of its own names a service and asks only how long it takes (办居住证要用多长时间)."""
    return bool(re.match(_SERVICE_THEN_PERIOD, question))


def speaks_to_manner(passage: str, manner: str) -> bool:
    """Whether the passage says something of the manner asked (a name `asked_manner` gives)."""
    return any(said.search(passage) for name, _, said in _MANNERS if name == manner)


# Asked within a question that names its own topic (身份证丢了可以找人代办吗), only these are read: 后果 or 在哪 there may
# be about anything the question says (骗取低保有什么后果)
IN_ANY_QUESTION = frozenset({"代办", "本人到场", "义务", "网上办理", "加急", "上门", "邮寄", "异地办理"})
_STATED_BY_THE_ARTICLE = frozenset({"义务", "办理时限"})


# Whether to bring a document: 要带户口本吗, 身份证要带吗, 需要结婚证吗, 要带户口本和身份证吗
_BRING = r"(?:带|拿|交|提供|出示|准备|提交)(?:上|着)?"
_WHETHER = r"(?:还)?(?:要|得|需要|需不需要|要不要|用不用|必须|是不是要|是否要)"
_BRINGS = (
    re.compile(rf"^(?:那|那么)?{_WHETHER}?{_BRING}(?P<things>[^，,。？?]{{2,14}}?)(?:吗|不|么|嘛)?$"),
    # how many: 要几张照片 (the count itself is a figure, answering/faithfulness.py)
    re.compile(rf"^(?:那|那么)?{_WHETHER}?(?:{_BRING})?(?:几|多少)(?:张|份|本|个)(?P<things>[^，,。？?]{{2,6}}?)(?:吗|呢|啊)?$"),
    re.compile(rf"^(?:那|那么)?(?P<things>[^，,。？?]{{2,14}}?){_WHETHER}{_BRING}(?:吗|不|么|嘛)?$"),
    re.compile(r"^(?:那|那么)?(?:还)?(?:需要|要)(?P<things>[^，,。？?]{2,14}?)(?:吗|不|么|嘛)$"),
)
_AND = re.compile(r"和|跟|与|、|还有|以及|及|，|,")
_DOCUMENTS = (*CERTIFICATE_TAILS, *NAMED_DOCUMENTS, "照片", "相片", "证明", "合同", "材料")
_SAME_DOCUMENT = {"照片": "相片", "相片": "照片"}
# 要带什么材料 asks which; 交上去以后多久能拿到证 asks when
_WHICH = re.compile(r"什么|啥|哪|多|几|怎|能|会|以后|之后|上去")
_DOCUMENT_CHARS = 5  # 户口本, 结婚证, 居民身份证
_GETTING = re.compile(r"^(?:开|办|领|补|换)")


def brought_documents(text: str) -> tuple[str, ...]:
    """The documents a turn asks whether to bring (要带户口本和身份证吗 → 户口本, 身份证), when that is all it asks."""
    said = text.strip().rstrip("？?。.！! ")
    for pattern in _BRINGS:
        match = pattern.match(said)
        if match:
            # 开证明 names 证明; 办证 names no document
            things = tuple(_GETTING.sub("", t.strip()) for t in _AND.split(match.group("things")) if t.strip())
            named = all(
                2 <= len(t) <= _DOCUMENT_CHARS and t.endswith(_DOCUMENTS) for t in things
            )
            if things and named and not _WHICH.search(match.group("things")):
                return things
    return ()


def names_documents(passage: str, documents: tuple[str, ...]) -> bool:
    """Whether the passage names every document (户口本 as the statutes' 户口簿, 照片 as 相片)."""
    return all(present(d, passage) or _SAME_DOCUMENT.get(d, d) in passage for d in documents)
