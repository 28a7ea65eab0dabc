"""Bridge citizens' everyday words to the wording of policy texts before retrieval.

Citizens ask "要带啥" where statutes say "提交…材料"; appending the formal terms for a few common service intents
helps both the vector and the BM25 signal. The table is generic (intents, not particular questions).
"""

from __future__ import annotations

import re

SERVICE_INTENTS: tuple[tuple[str, str], ...] = (
    (r"带啥|带什么|准备哪些|要啥|需要什么|什么材料|哪些东西|啥材料|什么证件", "提交 材料 证件 证明"),
    (r"多久|多长时间|几天|多少天|什么时候|期限|几年", "期限 日内 之日起"),
    (r"收钱|收费|多少钱|花钱|费用|交钱|要钱|收不收|免费|掏钱|工本费", "收取 费用 工本费"),
    (r"咋办|怎么办|怎么弄|咋弄|找谁", "申请 办理 机关"),
    (r"领多少|能领|拿多少|发多少", "标准 领取"),
    (r"提出来|取出来|提取", "提取 职工"),
)
# Everyday names of services and people → the statutes' names for them (社保 → 社会保险). Generic hall vocabulary,
# not tied to particular questions; the statute's own term is added, the citizen's word stays in the query. A
# certificate is not the people it is for: 残疾证 and 老年证 are not 残疾人 and 老年人, and no statute here issues them.
EVERYDAY_TERMS: tuple[tuple[str, str], ...] = (
    (r"社保(?!卡)", "社会保险"),
    (r"社保卡", "社会保障卡"),
    (r"医保", "基本医疗保险 医疗保障"),
    (r"低保", "最低生活保障"),
    (r"失业金|失业费", "失业保险金"),
    (r"个税", "个人所得税"),
    (r"残保金", "残疾人就业保障金"),
    (r"公积金", "住房公积金"),
    (r"退休金|养老金", "基本养老金 退休费"),
    (r"养老保险", "基本养老保险"),
    (r"执照", "营业执照"),
    (r"报户口|上户口|落户口", "出生登记 户口登记"),
    (r"户口本", "户口簿"),
    (r"迁移证(?!件)", "迁移证件"),
    (r"身份证号", "公民身份号码"),
    (r"暂住证", "居住证"),
    (r"生孩子|生小孩|坐月子", "生育"),
    (r"老板|公司|单位", "用人单位"),
    (r"入职|新员工|新职工|刚招|招进", "用工 职工 录用"),
    (r"辞退|开除|炒鱿鱼", "解除劳动关系"),
    (r"工资", "工资薪金"),
    (r"上学|念书", "入学 义务教育"),
    (r"看病|住院", "医疗费用"),
    (r"过户|房产证|房本", "不动产登记 转移登记"),
    (r"不动产证|不动产权证|房产证|房本", "不动产权属证书"),
    (r"老人|老年(?!证)", "老年人"),
    (r"当兵|参军", "服现役"),
    (r"退伍|复员", "退役"),
    (r"外地户口|外地人", "非户籍"),
    (r"打工", "务工 就业"),
    (r"农民工", "农民合同制工人"),
    (r"受伤|工伤(?!证)", "工伤"),
    (r"残疾人(?!证)|残疾(?!人?证)", "残疾人"),
    (r"去世|走了|过世|病故", "死亡"),
    (r"丧葬费", "丧葬补助金"),
    (r"结婚(?!登记|证)", "结婚登记"),
    (r"离婚(?!登记|证)", "离婚登记"),
    (r"开证明|证明", "证明事项"),
    # things and acts as said at the counter (people stay as said: 孩子, 老伴 are who is asking, not what about)
    (r"房子", "房屋 不动产"),
    (r"买药|拿药|开药", "购药 药品"),
    (r"药店|药房", "定点医药机构"),
    (r"医保卡", "医疗保障凭证 社会保障卡"),
    (r"刷脸", "人脸识别"),
    (r"彩票|中奖", "偶然所得"),
    (r"改名", "变更姓名"),
    (r"名字", "姓名"),
    (r"挣大钱|挣钱|赚钱|来钱", "收入"),
    (r"押着|押了|扣着", "扣押"),
    (r"埋在|埋到|埋了|下葬|入土", "土葬 埋葬"),
    (r"坟", "坟墓 墓地"),
    (r"丢了|弄丢|丢失", "遗失 丢失"),
    (r"坏了|弄坏|破损", "损毁"),
    (r"过期|到期", "有效期 期满"),
    (r"开店|开个店|小卖部|摆摊|小买卖|个体户", "个体工商户 个体经营"),
    (r"出国", "出境"),
    (r"回国", "入境"),
    (r"网上", "在线"),
    (r"没带全|不齐|缺材料", "补正"),
    (r"贴出来|张榜", "公示 公布"),
    (r"替我|代我|找人替|让人代", "委托 代办"),
    (r"起征点|免征额", "减除费用"),
    (r"房租|交租|付租金", "房租 住房租金"),
    (r"借给|借去|借用", "出借 冒名使用"),
    (r"续签(?!注)|续期", "延期 延长"),
    (r"年报", "年度报告"),
    (r"第一次|头一回|头一次|头回", "首次 初次"),
    (r"[回藏壮苗彝满]族|维吾尔族|蒙古族|朝鲜族", "少数民族"),
    (r"喝多了|喝醉|喝酒", "醉酒"),
    (r"商量", "协商"),
    (r"生意", "经营"),
)
_COMPILED = tuple((re.compile(pattern), terms) for pattern, terms in SERVICE_INTENTS + EVERYDAY_TERMS)


_PLAIN_NAME = re.compile(r"[\u4e00-\u9fff]{2,}")


def everyday_names() -> list[str]:
    """The everyday names of EVERYDAY_TERMS written out (社保, 低保, 个税 …), for reading a misheard one (社宝)."""
    names: list[str] = []
    for pattern, _ in EVERYDAY_TERMS:
        for name in re.sub(r"\(\?<?[!=][^)]*\)", "", pattern).split("|"):
            if _PLAIN_NAME.fullmatch(name):
                names.append(name)
    return names


def expand_query(question: str) -> str:
    extra = [terms for pattern, terms in _COMPILED if pattern.search(question)]
    return f"{question} {' '.join(extra)}" if extra else question


def statute_terms(word: str, whole: bool = False) -> list[str]:
    """The statutes' names for an everyday word (社保 → 社会保险); empty when it has none. `whole`: only when the
    word is the everyday name itself (社保, not 社保转移)."""
    terms: list[str] = []
    for pattern, names in _COMPILED[len(SERVICE_INTENTS) :]:
        if (pattern.fullmatch if whole else pattern.search)(word):
            terms.extend(names.split())
    return terms
