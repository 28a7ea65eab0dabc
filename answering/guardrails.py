"""Scope and safety checks that run before retrieval, and removal of instructions planted in text."""

from __future__ import annotations

import enum
import re

from knowledge_base.query_expansion import statute_terms

# Instructions aimed at the model ("忽略以上规则…", "ignore previous instructions") are data, never orders.
_INJECTION = re.compile(
    r"(忽略|无视|忘记|忘掉|不要遵守|绕过)(掉)?(你)?(以上|之前|上面|前面|上述|所有|全部)?的?(所有)?(规则|指令|指示|提示|要求|限制|设定)"
    r"|(输出|告诉我|透露|显示|打印)(你的)?(系统)?(提示词|系统提示|prompt|指令)"
    r"|你现在(是|扮演|变成)|从现在(开始|起)你|扮演(一个|一名)?|(进入|开启)(开发者|DAN|越狱)模式"
    r"|ignore (all |any )?(the )?(previous|prior|above) (instructions|rules)|system prompt|jailbreak",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[^。！？!?；;\n]*")

_SENSITIVE = re.compile(
    r"炸弹|炸药|枪支|制毒|毒品|自杀|杀人|报复社会|颠覆|台独|藏独|疆独|法轮|邪教|游行示威|色情|赌博|黑客|翻墙"
)
_OFF_TOPIC = re.compile(
    r"笑话|段子|逗我(?:乐|开心|笑)|讲个故事|写(一首)?诗|唱(首)?歌|天气|下雨|下雪|气温|挂号|挂个.{0,14}号|股票|炒股|买基金|彩票号码|比特币|星座|算命|打游戏|菜谱|做饭|写代码|编程|"
    r"谁(最|更)?(帅|漂亮)|你(是谁|叫什么|几岁|多大)|你喜欢|聊聊天|陪我聊|"
    # errands a kiosk cannot run (翻译, 作业, 订票) and the day's date or weather
    r"翻成|翻译成|帮我翻译|数学题|做作业|写作业|订.{0,10}(?:车票|机票|高铁票|火车票|酒店)|理财产品|"
    r"今天(?:是)?(?:星期|礼拜|周)几|今天(?:是)?几号|今天几月几号|多少度|穿(?:外套|什么衣服)|(?:狗|猫).{0,4}(?:不吃|病了|生病)"
)


_FACILITY = "厕所|洗手间|卫生间|停车场?|停车位|复印机?|打印机?|自助机|自助终端|热水|开水|饮水机|充电|轮椅|母婴室|老花镜"

# Questions about this hall itself (its floors, windows, hours, parking, queue numbers, apps and addresses): the
# statutes never answer them, staff at the hall's window do.
_HALL = re.compile(
    r"大厅.{0,8}(几点|开门|关门|上班|下班|停车|几楼|在哪|厕所|复印|wifi|WiFi)|几楼|哪层|几号窗口|窗口(在|是|几)|哪个窗口|取号|叫号|排号|放号|号还有|wifi|WiFi|无线网"
    # its toilets, parking and copiers when asked after (厕所在哪边, 这里有复印机吗), not where something happened
    # (上班时间去厕所摔倒了算工伤吗) nor a copy asked for (要身份证复印件吗)
    rf"|(?:{_FACILITY})(?!件)[^，,。？?\s]{{0,3}}(?:在哪|哪边|哪里|哪儿|几楼|怎么走|收不收|收费|要钱|多少钱|收钱|免费|能停)"
    rf"|(?:有没有|哪里|哪儿|哪能|在哪|能不能|能|可以|这儿|这里|这边)[^，,。？?\s]{{0,4}}(?:{_FACILITY})(?!件)|停.{{0,4}}(?:钟头|小时).{{0,3}}(?:收|多少|钱)"
    r"|几点钟?(上班|下班|下般|开门|关门|开始|结束)|(?:取|拿|排)的号|前面还有(?:多少|几个)人|绿色通道"
    # a number called while one was away (号叫过了, 过号了, 还能补叫吗)
    r"|过号|号[^，,。？?\s]{0,4}叫过|叫过[^，,。？?\s]{0,2}号|补叫|重新叫"
    # help with the forms at the counter (能帮我填表吗, 我不会填), and the forms and guides themselves (办事指南在哪里拿)
    r"|帮[我忙人]?[^，,。？?\s]{0,2}填|代填|不会填|填不了|填不来|(?:指南|表格|申请表)[^，,。？?\s]{0,3}(?:在哪|哪里|哪儿|哪能)"
    # the queue and the staff on the floor (排到多少号了, 怎么还没轮到我, 帮我叫一下工作人员)
    r"|排到(?:多少|几)号|加(?:个)?号|轮到我|叫到(?:多少|几)号|叫一下工作人员|窗口(?:的人|没人)"
    # photos taken at the hall (现场能拍证件照吗, 拍照的地方在哪), not the photo a service asks for
    r"|(?:现场|这里|这儿|这边|大厅)[^，,。？?\s]{0,3}拍(?:证件)?照|拍(?:证件)?照[^，,。？?\s]{0,3}(?:的地方|在哪|哪里|哪儿)"
    # how fees are paid at the counter (能用微信支付吗, 这里可以刷卡吗), and the hall's own rules (要不要戴口罩)
    r"|微信支付|支付宝|扫码(?:支付|付)|(?:这里|这儿|这边|你们这?)(?:能|可以)?刷卡|戴口罩"
    r"|(?:几点|什么时候)[^，,。？?\s]{0,3}(?:吃午饭|吃饭|午休)"
    r"|(?:要|得|还要|需要|一般要?)排.{0,2}队|排.{0,2}队[^，,。？?\s]{0,3}(?:吗|多久|多长时间|人多)|(上不上|周六|周日|周末|星期六|星期天|星期日|礼拜六|礼拜天|礼拜日|中午|午休|节假日|过年).{0,6}(上班|值班|开门|休息|办公|放假)(?:吗|不|没|么|呢|[？?\s，,。]|$)"
    r"|你们.{0,6}放.{0,3}假"
    # …whether it works on weekends or evenings (结婚登记周末能办吗), and sends finished certificates home (寄到家里)
    r"|(?:周六|周日|周末|星期六|星期天|星期日|礼拜六|礼拜天|节假日|晚上|中午)[^，,。？?\s班]{0,2}(?:能|可以|能不能|可不可以)?办"
    r"|(?:寄|邮寄|快递|送)(?:到|回)(?:家|我家|家里)|寄给我"
    # …and whether and how to book a visit (要预约吗, 网上预约), which no statute here mentions; a doctor's is referred
    r"|预约(?!挂号)"
    # an address or number asked for (地址在哪, 电话是多少), not one told (户口本上的地址是老家的, 我电话是138…) nor a
    # period asked of one (执照上的地址多少天内要去改)
    r"|地址在哪|(?:地址|电话|热线)(?:是|号码是?)?(?:多少(?![天日年月个周])|什么|啥|哪里|哪儿|几号)|网址|公众号|小程序"
    r"|(?<![A-Za-z])(?:APP|App|app)(?![A-Za-z])|哪个软件|(?:在哪|哪里|哪儿|去哪|怎么|如何)[^，,。？?\s]{0,2}下载|下载(?:地址|链接|入口)"
    # which services this hall handles (你们这能办护照吗): the hall's own list, not a statute
    r"|你们(?:这里|这儿|这边|这|大厅)?(?:能|可以|能不能|可不可以|给)(?:办|受理)|(?:这个|本|你们)大厅(?:能|可以)?(?:办|受理)"
)

# A complaint about this hall's own staff or service (我要投诉你们窗口的工作人员, 对你们的服务不满意): the hall's own
# channel, not a statute's right to report (老板不给交社保 上哪儿举报 is a statute question).
_COMPLAINT = re.compile(r"(?:投诉|举报)[^，,。？?\s]{0,3}你们|你们[^。？?]{0,10}(?:态度|不满意|投诉)")

# A citizen's own case: how far an application has got, or their own records (我家低保审批到哪一步了, 查一下我的社保
# 缴了多少年). No statute holds them; the window or 12345 looks them up with the citizen's ID.
_CASE = re.compile(
    r"到哪一?步|(?:办理|审批|审核|申请|受理|办件)的?进度|查.{0,8}进度|进度.{0,4}(?:查|怎么样|到哪)|(?:批|办|审)下来了?没"
    r"|(?:批|办|审)好了没|有结果了?没"
    r"|查(?:一下|一查|查|下)?(?:我|我家|我们家|我妈|我爸|我自己)的?.{0,8}(?:社保|公积金|医保|养老金|缴费|余额|记录|交了|缴了|还剩|有多少|个税)"
)


class Scope(str, enum.Enum):
    IN_SCOPE = "in-scope"
    HALL = "hall"
    CASE = "case"  # the citizen's own application or records
    COMPLAINT = "complaint"  # about this hall's own staff or service
    OFF_TOPIC = "off-topic"
    SENSITIVE = "sensitive"
    EMPTY = "empty"
    SMALL_TALK = "small-talk"  # the whole utterance is a greeting, thanks or goodbye
    OTHER_LANGUAGE = "other-language"  # written in another script (How do I apply for a residence permit?)


class SmallTalk(str, enum.Enum):
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    OK = "ok"  # 好的 / 知道了: the citizen has what they came for
    REPEAT = "repeat"  # 再说一遍 / 没听清: the last answer again
    CLARIFY = "clarify"  # 不对 / 听不懂 / 为什么 / 还有呢: nothing to search; how to ask, and the window
    ABOUT = "about"  # 你是真人吗 / 你叫什么 / 能听懂四川话吗: what the kiosk is and what it can do


def strip_injection(text: str) -> tuple[str, bool]:
    """Drop every clause that carries an instruction to the model; return (clean text, whether any was found)."""
    found = False

    def drop(match: re.Match[str]) -> str:
        nonlocal found
        if _INJECTION.search(match.group(0)):
            found = True
            return ""
        return match.group(0)

    cleaned = _CLAUSE.sub(drop, text)
    cleaned = re.sub(r"^[，,。；;！？!?\s]+", "", cleaned)
    cleaned = re.sub(r"([。！？!?；;])[。！？!?；;，,]+", r"\1", cleaned)
    return cleaned.strip(), found


# An utterance made only of courtesies: answered as such, never searched (nor read as a follow-up of the last question).
_GREETINGS = r"你好|您好|你们好|大家好|早上好|上午好|中午好|下午好|晚上好|早安|嗨|哈喽|hello|hi|在吗|在不在|有人吗"
# said before the question itself (我想咨询一下, 请问): met with the greeting, which asks for the question
_OPENINGS = r"我想问(?:点|个|一下)?(?:事|问题)?|我(?:想)?咨询(?:一下|点事|个事)?|问个(?:事|问题)|我有个问题|请问一下|请问"
_GOODBYES = r"再见|拜拜|bye|下回见|下次见|回头见|改天见|我先走了"
_COURTESY_WORDS = (
    rf"{_GREETINGS}|{_OPENINGS}|谢谢|谢啦|多谢|感谢|辛苦了|麻烦你了|{_GOODBYES}|"
    r"好的|好吧|好嘞|行|可以了|知道了|明白了|懂了|清楚了|没事了|没有了|没了|没问题了|就这些|嗯|哦|噢|好|ok|okay"
)
_SMALL_TALK = re.compile(rf"(?:(?:{_COURTESY_WORDS})(?:你|您|你们|啦|啊|呀|呢|吧|哈|了|嘛|哟)*[\s,，.。!！~～、]*)+", re.IGNORECASE)
_COURTESIES = (
    (SmallTalk.GOODBYE, re.compile(_GOODBYES, re.IGNORECASE)),
    (SmallTalk.THANKS, re.compile(r"谢|感谢|辛苦|麻烦你")),
    (SmallTalk.GREETING, re.compile(f"{_GREETINGS}|{_OPENINGS}", re.IGNORECASE)),
)

# Questions about the kiosk itself, alone or after a courtesy (你好呀 你叫什么名字): searched, 你是真人还是机器人
# was told the knowledge base has no rule about it.
_ABOUT = re.compile(
    r"你(?:到底)?是(?:谁|什么|真人|机器人|人工智能|AI|电脑)(?:还是(?:真人|机器人|人工智能|AI|电脑))?|你叫(?:什么|啥)(?:名字)?|"
    r"你(?:今年)?(?:几岁|多大)(?:了)?|你是男的还是女的|"
    r"你?(?:能|会|可以)(?:不能|不会)?(?:听懂|听得懂|听|说|讲)(?:普通话|四川话|广东话|粤语|上海话|方言|英语|英文|外语|[\u4e00-\u9fff]{1,3}话)|"
    r"你?(?:能|可以)(?:听懂|听得懂)(?:我(?:说的?话?)?)?|"
    # what it can do: 你能干什么 / 你都能回答什么问题 / 我能问你什么
    r"你(?:都)?(?:能|会|可以)(?:干|做|回答|帮我做|帮我干|帮我)?(?:些|哪些)?(?:什么|啥)(?:问题|事情?|业务)?|你(?:都)?有(?:什么|啥|哪些)功能|"
    r"你是干(?:什么|啥)的|你是哪个部门的|我(?:能|可以)问(?:你)?(?:些|哪些)?(?:什么|啥)(?:问题)?",
    re.IGNORECASE,
)
_ABOUT_REST = re.compile(r"[\s,，.。!！?？~～、啊呀吗呢吧不么嘛哈的了]*")


# Asking to hear the last answer again, and replies to it that ask nothing the documents could answer. Searched,
# 再说一遍 found 居住证暂行条例 第十条 and 你说的不对 a 工伤 article: a rule nobody asked about.
_REPEAT = (
    r"再说一遍|再说一次|再说一下|再讲一遍|再讲一次|再念一遍|重复一下|重复一遍|重复一次|再重复一遍|没听清楚?|没听见|没听到|"
    r"听不清楚?|你说啥|你说什么|你?刚才说的?(?:啥|什么)|说慢一?点|慢一?点说|大声一?点|声音大一?点"
)
_CLARIFY = (
    r"不对|不是这个|不是这样|错了|说错了|你说的?不对|你说错了|答非所问|听不懂|没听懂|看不懂|不明白|没明白|不懂|"
    r"什么意思|啥意思|太长了|太复杂了|说?简单一?点|说?具体一?点|说?详细一?点|说清楚一?点|为什么|为啥|凭什么|"
    r"然后呢|还有呢|还有吗|那个呢|这个呢|其他的呢|别的呢|然后"
)
_TALK_BACK = re.compile(
    rf"(?:(?:(?:不好意思|对不起|请|麻烦你?|我|你|您|能不能|能|可以|可不可以|再)[\s,，]*)*(?:{_REPEAT}|{_CLARIFY})"
    r"(?:一下|一遍|吗|吧|呀|啊|了|呢|嘛|哈|好吗|行吗|可以吗)*[\s,，.。!！?？~～、]*)+"
)


_DISAGREE = re.compile(r"不对|错了|答非所问|不是这个|不是这样")


def disagrees(question: str) -> bool:
    """A talk-back that says the last answer was wrong (你说的不对, 答非所问): the screen counts it as 没帮助."""
    return small_talk(question) is SmallTalk.CLARIFY and bool(_DISAGREE.search(question))


def small_talk(question: str) -> SmallTalk | None:
    """Which courtesy an utterance is, when it is nothing else (你好 / 谢谢你 / 好的再见 / 再说一遍 / 听不懂); None
    for a question, also one that opens with a greeting (你好，居住证怎么办)."""
    text = question.strip()
    if _TALK_BACK.fullmatch(text):
        return SmallTalk.REPEAT if re.search(_REPEAT, text) else SmallTalk.CLARIFY
    if _ABOUT.search(text) and _ABOUT_REST.fullmatch(_SMALL_TALK.sub("", _ABOUT.sub("", text))):
        return SmallTalk.ABOUT
    if not _SMALL_TALK.fullmatch(text):
        return None
    for kind, pattern in _COURTESIES:
        if pattern.search(question):
            return kind
    return SmallTalk.OK


def _other_language(text: str) -> bool:
    """Mostly Latin letters (not an abbreviation in a Chinese question: 身份证的ID号, APP怎么下载): the subject words,
    the kind of fact asked and the answerability check all read Chinese, and quoting a Chinese statute to someone who
    asked in English answers a question nobody can check they asked."""
    latin = len(re.findall(r"[A-Za-z]", text))
    return latin >= 6 and latin > 2 * len(re.findall(r"[\u4e00-\u9fff]", text))


# Services and certificates by the statutes' own names; with the everyday names of query_expansion's table (社保,
# 个税, 工伤) they make an utterance a service question whatever else it mentions (下雨天上班路上摔了算工伤吗).
_SERVICE = re.compile(
    r"身份证|居住证|护照|户口|户籍|结婚|离婚|婚姻|低保|救助|社会保险|社保|医疗保险|医保|工伤|失业|养老|退休|公积金|"
    r"所得税|个税|营业执照|登记|许可|殡葬|丧葬|火化|安葬|退役|残疾|义务教育|入学|证明|补贴|津贴|抚恤"
)


# What happens in a family (我爸自杀了, 老公赌博欠了债) and is told on the way to a service question: 自杀 is even in
# the 工伤 rules. Weapons, drugs made, subversion and the like stay refused whatever service they are said with.
_LIFE_EVENT = re.compile(r"自杀|赌博|毒品|杀人")


def _life_event_in_a_service_question(text: str) -> bool:
    return bool(_SERVICE.search(text)) and not _SENSITIVE.search(_LIFE_EVENT.sub("", text))


def _names_a_service(text: str) -> bool:
    return bool(_SERVICE.search(text) or statute_terms(text))


def classify(question: str) -> Scope:
    text = question.strip()
    if not re.search(r"[\w\u4e00-\u9fff]", text):
        return Scope.EMPTY
    if small_talk(text) is not None:
        return Scope.SMALL_TALK
    if _other_language(text):
        return Scope.OTHER_LANGUAGE
    if _SENSITIVE.search(text) and not _life_event_in_a_service_question(text):
        return Scope.SENSITIVE
    if _OFF_TOPIC.search(text) and not _names_a_service(text):
        return Scope.OFF_TOPIC
    if _COMPLAINT.search(text):
        return Scope.COMPLAINT
    if _HALL.search(text):
        return Scope.HALL
    if _CASE.search(text):
        return Scope.CASE
    return Scope.IN_SCOPE
