"""One visual language for the kiosk page and the staff/admin panel: the kiosk's blue, local CJK fonts."""

from __future__ import annotations

from typing import Any

KIOSK_BLUE = "#1f6fd1"
LOCAL_FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "sans-serif"]
_BLUE_SHADES = {
    "c50": "#eef5fd", "c100": "#dcebff", "c200": "#b9d4f5", "c300": "#8db8ec", "c400": "#4f92e0", "c500": KIOSK_BLUE,
    "c600": "#1a5fb4", "c700": "#164f96", "c800": "#163a69", "c900": "#102b4f", "c950": "#0b1d36",
}  # fmt: skip


def kiosk_theme() -> Any:
    """A Gradio theme in the kiosk's blue (not Gradio's default purple), no web fonts."""
    import gradio as gr

    blue = gr.themes.Color(name="kiosk-blue", **_BLUE_SHADES)
    theme = gr.themes.Soft(
        primary_hue=blue, secondary_hue=blue, neutral_hue="slate", font=LOCAL_FONTS,
        font_mono=["Noto Sans Mono CJK SC", "monospace"],
    )  # fmt: skip
    return theme.set(
        button_primary_background_fill=KIOSK_BLUE, button_primary_background_fill_hover=_BLUE_SHADES["c600"],
        button_primary_text_color="#ffffff", checkbox_background_color_selected=KIOSK_BLUE,
        slider_color=KIOSK_BLUE, loader_color=KIOSK_BLUE,
    )  # fmt: skip
