"""Runtime settings the admin changes in the panel, applied over the deployment config without a restart."""

from __future__ import annotations

import json
import time
from typing import Any

from pydantic import ValidationError

from core.config import REPLY_PLACEHOLDERS, KioskConfig, template_problem
from core.errors import AdminError, ConfigError
from panel.store.database import Database

# "section.field" → what the configuration page calls it.
SETTING_LABELS: dict[str, str] = {
    "kiosk.greeting": "欢迎语",
    "kiosk.hot_topics": "热门问题按钮",
    "kiosk.handoff_text": "转人工提示",
    "answering.refusal_template": "拒答话术",
    "answering.window_guidance": "窗口指引",
    "answering.referral_reply": "转办话术",
    "answering.referrals_yaml": "转办指引",
    "answering.style": "回答方式",
    "answering.hall_region": "本大厅所在地区",
    "tts.edge_voice": "音色",
    "tts.speed": "语速",
    "llm.backend": "大模型后端",
    "llm.base_url": "OpenAI 兼容服务地址",
    "llm.model_name": "模型名称",
    "admin.retention_days": "对话记录保留天数",
}


def apply_settings(base: KioskConfig, settings: dict[str, Any]) -> KioskConfig:
    """A validated copy of `base` with `settings` ("section.field" → value) applied; `base` is untouched."""
    by_section: dict[str, dict[str, Any]] = {}
    for key, value in settings.items():
        if key not in SETTING_LABELS:
            continue  # a key from a newer release: ignore rather than break the kiosk
        section, name = key.split(".", 1)
        by_section.setdefault(section, {})[name] = value
    updates: dict[str, Any] = {}
    for section, values in by_section.items():
        current = getattr(base, section)
        try:
            updates[section] = type(current).model_validate({**current.model_dump(), **values})
        except ValidationError as exc:
            raise AdminError("bad-setting", f"invalid value for {section}: {exc.errors()[0]['msg']}") from None
    return base.model_copy(update=updates, deep=True)


def check_template(label: str, field: str, template: str) -> None:
    """The citizen-facing wording uses only the placeholders its reply is filled with (core.config)."""
    problem = template_problem(template, REPLY_PLACEHOLDERS[field])
    if problem:
        raise AdminError("bad-setting", f"{label}有误，未保存（{problem}）")


_REFERRALS_MAX_CHARS = 100_000  # the shipped list is about 2,000


def check_referrals(text: str | None) -> None:
    from answering.referrals import ReferralBook

    if text is None:
        return
    if len(text) > _REFERRALS_MAX_CHARS:
        raise AdminError("bad-setting", f"转办指引过长（{len(text)} 字符，上限 {_REFERRALS_MAX_CHARS}），未保存")
    try:
        ReferralBook.parse(text, "转办指引")
    except ConfigError as exc:
        raise AdminError("bad-setting", f"转办指引格式有误，未保存（{exc.message}）") from None


class SettingsStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self) -> dict[str, Any]:
        return {row["key"]: json.loads(row["value"]) for row in self._db.query("SELECT key, value FROM settings")}

    def update(self, base: KioskConfig, changes: dict[str, Any], actor: str) -> dict[str, Any]:
        """Validate and store changed settings; return only those that really changed."""
        unknown = sorted(set(changes) - set(SETTING_LABELS))
        if unknown:
            raise AdminError("bad-setting", f"unknown setting(s): {', '.join(unknown)}")
        for key, value in changes.items():  # every reply wording the panel edits (拒答话术, 转办话术)
            section, name = key.split(".", 1)
            if section == "answering" and name in REPLY_PLACEHOLDERS:
                check_template(SETTING_LABELS[key], name, str(value))
        if "answering.referrals_yaml" in changes:
            check_referrals(changes["answering.referrals_yaml"])
        current = self.all()
        effective = apply_settings(base, {**current, **changes})  # raises on invalid values
        changed: dict[str, Any] = {}
        for key in changes:
            section, name = key.split(".", 1)
            value = getattr(getattr(effective, section), name)
            value = str(value) if value is not None and not isinstance(value, (str, int, float, bool, list)) else value
            if current.get(key, getattr(getattr(base, section), name)) != value:
                changed[key] = value
        now = time.time()
        with self._db.transaction() as tx:
            tx.execute_many(
                "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (:key, :value, :at, :actor) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, "
                "updated_by = excluded.updated_by",
                [
                    {"key": key, "value": json.dumps(value, ensure_ascii=False), "at": now, "actor": actor}
                    for key, value in changed.items()
                ],
            )
        return changed

    def reset(self, key: str) -> bool:
        return bool(self._db.execute("DELETE FROM settings WHERE key = :key", {"key": key}))
