"""The text a Telegram reader sees, from a post written with HTML or MarkdownV2 formatting: the limits
count characters after entity parsing, so the markup itself does not count."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
MARKDOWN_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")


class MarkupError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise MarkupError(f"unsupported tag <{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise MarkupError(f"unexpected </{tag}>")
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_visible(text: str) -> str:
    parser = _VisibleText()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise MarkupError(f"<{parser.open[-1]}> is not closed")
    return "".join(parser.parts)


def _markdown_v2_visible(text: str) -> str:
    shown, i = [], 0
    inline_link = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(((?:\\.|[^)\\])*)\)")
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text):
                raise MarkupError("a lone backslash at the end")
            shown.append(text[i + 1])
            i += 2
            continue
        if char == "[":
            match = inline_link.match(text, i)
            if not match:
                raise MarkupError("'[' must be escaped")
            shown.append(_markdown_v2_visible(match.group(1)))
            i = match.end()
            continue
        if char in "*_~|`":
            i += 2 if text.startswith(("__", "||"), i) else 1
            continue
        if char in MARKDOWN_V2_RESERVED:
            raise MarkupError(f"character '{char}' is reserved and must be escaped with '\\'")
        shown.append(char)
        i += 1
    return "".join(shown)


def visible_text(text: str, parse_mode: str = "") -> str:
    mode = parse_mode.lower()
    if mode == "html":
        return html.unescape(_html_visible(text))
    if mode == "markdownv2":
        return _markdown_v2_visible(text)
    return text
