"""Lines of a legal or guidance text as a screen shows them: list items and quoted articles each on their own line."""

from __future__ import annotations

import re

ARTICLE = r"第[零〇一二三四五六七八九十百千两\d]+条(?:第[零〇一二三四五六七八九十百千两\d]+款)?"
# "1." "1、" "（一）" "(1)" "一、" "第三条" starting a list item or a quoted article inside an answer
ITEM_START = re.compile(
    r"(?<=[。；;：:！？\s])\s*(?=(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．](?!\d)|" + ARTICLE + r"\s))"
    r"|(?<=[\u4e00-\u9fff])(?=(?:1[.、．]|[（(]1[）)]|[（(]一[）)])[\u4e00-\u9fff])"  # "申请材料1.本人…": a list right after a heading
)


ITEM = re.compile(r"(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．](?!\d))")
# the label a passage of a statute opens with (第九条, 第十条之一), which its citation names
ARTICLE_LABEL = re.compile(r"^\s*#*\s*第[零〇一二三四五六七八九十百千两\d]+条(?:之[一二三四五六七八九十]+)?\s*")


def split_list_items(text: str) -> list[str]:
    """Lines of the answer: list items (1. / （一） / 一、) and quoted articles each start their own line, and the
    sentence after a list's last item starts a new one."""
    lines: list[str] = []
    for paragraph in re.split(r"\n+", text):
        for part in ITEM_START.split(paragraph):
            part = part.strip()
            if ITEM.match(part) and (end := part.find("。")) not in (-1, len(part) - 1):
                lines += [part[: end + 1], part[end + 1 :].strip()]
            elif part:
                lines.append(part)
    return lines


def strip_heading(text: str, heading: str | None) -> str:
    """The passage without its leading section heading or article label when that is shown beside it."""
    text = text.lstrip()
    while heading and text.startswith(heading):  # a heading the source itself repeats goes too
        text = text[len(heading) :].lstrip(" 　：:\n")
    return text
