"""One error type per stage, each with a machine-readable code and a message a person can act on."""

from __future__ import annotations


class KioskError(Exception):
    """Base for every error the product raises on purpose."""

    stage = "kiosk"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"stage": self.stage, "code": self.code, "message": self.message}


class ConfigError(KioskError):
    stage = "config"


class ModelProvisioningError(KioskError):
    stage = "models"


class IngestError(KioskError):
    """A document could not be ingested; the message names the file and the reason."""

    stage = "ingest"

    def __init__(self, code: str, message: str, path: str | None = None) -> None:
        super().__init__(code, message)
        self.path = path


class KnowledgeBaseError(KioskError):
    stage = "knowledge_base"


class RetrievalError(KioskError):
    stage = "retrieval"


class ChatModelError(KioskError):
    stage = "llm"


class AnswerError(KioskError):
    stage = "answer"


class SpeechToTextError(KioskError):
    stage = "asr"


class TextToSpeechError(KioskError):
    stage = "tts"


class PipelineError(KioskError):
    stage = "pipeline"


class AdminError(KioskError):
    stage = "admin"
