from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core import provisioning
from core.config import REPLY_PLACEHOLDERS, AnsweringConfig, KioskConfig, load_config, small_model_generates
from core.errors import ConfigError, ModelProvisioningError
from core.privacy import drop_personal_data, mask_personal_data


def test_yaml_then_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "kiosk.yaml"
    cfg.write_text("retrieval:\n  k: 7\nllm:\n  backend: openai\n", encoding="utf-8")
    monkeypatch.setenv("KIOSK_RETRIEVAL__K", "3")
    config = load_config(cfg, kb_dir=tmp_path / "kb")
    assert config.retrieval.k == 3  # environment wins over the file
    assert config.llm.backend == "openai"
    assert config.paths.kb == tmp_path / "kb"


def test_bad_keys_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "kiosk.yaml"
    cfg.write_text("retrieval:\n  k: zero\n  gate_treshold: 0.4\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert "retrieval.k" in err.value.message and "retrieval.gate_treshold" in err.value.message
    monkeypatch.setenv("KIOSK_LLM__BACKEND", "gpt")
    with pytest.raises(ConfigError) as err:
        load_config(None)
    assert "llm.backend" in err.value.message


def test_missing_or_malformed_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "nope.yaml")
    assert err.value.code == "config-missing"
    bad = tmp_path / "bad.yaml"
    bad.write_text("llm: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    assert err.value.code == "config-syntax"


def test_a_reply_that_cannot_be_filled_is_refused_at_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "kiosk.yaml"
    cfg.write_text("answering:\n  refusal_template: 关于“{topic}”，请到{windw}咨询。\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    message = err.value.message
    assert "answering.refusal_template" in message and "{windw}" in message and "{topic} {window}" in message
    monkeypatch.setenv("KIOSK_ANSWERING__COMPLAINT_REPLY", "请到{window反映")  # a brace left open
    with pytest.raises(ConfigError) as err:
        load_config(None)
    assert "answering.complaint_reply" in err.value.message and "{{" in err.value.message
    monkeypatch.setenv("KIOSK_ANSWERING__COMPLAINT_REPLY", "对服务不满意，请到{window}反映，{{本大厅}}会改进。")
    assert load_config(None).answering.complaint_reply.startswith("对服务不满意")  # a literal brace is written doubled


def test_each_reply_is_filled_with_exactly_the_placeholders_its_template_may_use() -> None:
    from answering.guardrails import SmallTalk
    from answering.referrals import Referral
    from answering.reply import Wording
    from kiosk.pipeline import FallbackTexts
    from knowledge_base.renames import Rename

    # every template uses every name it may: a name the code does not fill would raise KeyError below
    config = AnsweringConfig(**{
        field: "".join(f"<{{{name}}}>" for name in names) for field, names in REPLY_PLACEHOLDERS.items()
    })
    wording = Wording(config)
    said = [
        wording.refusal("T"), wording.scope(), wording.hall(), wording.case(), wording.complaint(), wording.topic(),
        wording.situation("T"), wording.other_language(), wording.guidance(), wording.missing_figure("K"),
        wording.part_unanswered(["T"]), wording.partly_missing(["K"]), wording.referral(Referral("T", "W", ("t",))),
        wording.renamed(Rename("O", "N", "t", "2018-11-22", "2024-12-31")),
        wording.small_talk(SmallTalk.CLARIFY), wording.small_talk(SmallTalk.ABOUT),
        FallbackTexts.from_config(config).no_answer,
    ]
    assert len(said) == len(REPLY_PLACEHOLDERS) and not any("{" in text or "<>" in text for text in said)


def test_masking_id_cards_and_phones() -> None:
    text = "我的身份证110101199003071234，手机13812345678，座机021-62345678"
    masked = mask_personal_data(text)
    assert "110101199003071234" not in masked and "13812345678" not in masked and "62345678" not in masked
    assert masked.startswith("我的身份证110") and "138********" in masked
    assert mask_personal_data("办居住证要带什么材料") == "办居住证要带什么材料"
    assert drop_personal_data(text) == "我的身份证"
    assert drop_personal_data("我的电话是13812345678，低保怎么申请") == "低保怎么申请"  # its label goes with it
    assert drop_personal_data("我身份证号是110101199003071234 丢了怎么办") == "我身份证号是 丢了怎么办"
    assert drop_personal_data("我的身份证号码：110101199003071234，低保怎么申请", labels=True) == "低保怎么申请"


@pytest.fixture()
def fake_model_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    pkg = tmp_path / "site" / "fake_model_part1"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "data" / "a.bin").write_bytes(b"hello ")
    (pkg / "data" / "b.bin").write_bytes(b"world")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    yield pkg
    sys.modules.pop("fake_model_part1", None)


def _spec(sha: str, size: int = 11) -> provisioning.ModelSpec:
    parts = (provisioning.PartFile("fake_model_part1", "data/a.bin"), provisioning.PartFile("fake_model_part1", "data/b.bin"))
    return provisioning.ModelSpec("fake", "llm", "fake", (provisioning.AssembledFile("model.gguf", parts, size, sha),), "model.gguf")


def test_assembly_verifies_and_is_idempotent(tmp_path: Path, fake_model_package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    sha = hashlib.sha256(b"hello world").hexdigest()
    monkeypatch.setitem(provisioning.SPECS, "fake", _spec(sha))
    target = provisioning.ensure_model("fake", tmp_path / "cache")
    assert target.read_bytes() == b"hello world"
    assert provisioning.bytes_to_assemble("fake", tmp_path / "cache") == 0
    mtime = target.stat().st_mtime_ns
    provisioning.ensure_model("fake", tmp_path / "cache")
    assert target.stat().st_mtime_ns == mtime  # verified stamp: not rebuilt


def test_checksum_mismatch_leaves_nothing_behind(tmp_path: Path, fake_model_package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(provisioning.SPECS, "fake", _spec("0" * 64))
    with pytest.raises(ModelProvisioningError) as err:
        provisioning.ensure_model("fake", tmp_path / "cache")
    assert err.value.code == "checksum-mismatch"
    assert list((tmp_path / "cache" / "fake").iterdir()) == []


def test_missing_package_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = (provisioning.PartFile("no_such_model_pkg", "data/x"),)
    spec = provisioning.ModelSpec("ghost", "llm", "ghost", (provisioning.AssembledFile("m", parts, 1, "0" * 64),))
    monkeypatch.setitem(provisioning.SPECS, "ghost", spec)
    with pytest.raises(ModelProvisioningError) as err:
        provisioning.ensure_model("ghost", tmp_path)
    assert err.value.code == "package-missing" and "make install" in err.value.message


def test_kb_dir_from_environment_and_a_bad_section_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_KB_DIR", str(tmp_path / "hall-kb"))
    assert load_config(None).paths.kb == tmp_path / "hall-kb"
    monkeypatch.setenv("KIOSK_LLM", "not json")  # a whole section given as a plain string
    with pytest.raises(ConfigError) as err:
        load_config(None)
    assert err.value.code == "config-invalid" and "llm" in err.value.message


def test_only_the_package_shipped_models_writing_answers_are_flagged() -> None:
    config = KioskConfig()
    assert not small_model_generates(config)  # the quote style: no model writes what is said
    config.answering.style = "generate"
    assert small_model_generates(config)
    config.llm.model_path = Path("/models/qwen2.5-7b-instruct-q4_k_m.gguf")  # a model the deployment chose
    assert not small_model_generates(config)
    config.llm.model_path = None
    config.llm.backend = "openai"
    assert not small_model_generates(config)


def test_a_story_threshold_outside_zero_to_one_names_the_key_and_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_ANSWERING__STORY_THRESHOLD", "0.35")
    assert load_config(None).answering.story_threshold == 0.35
    monkeypatch.setenv("KIOSK_ANSWERING__STORY_THRESHOLD", "2")
    with pytest.raises(ConfigError) as err:
        load_config(None)
    assert err.value.code == "config-invalid"
    assert "answering.story_threshold" in err.value.message and "KIOSK_ANSWERING__STORY_THRESHOLD" in err.value.message
