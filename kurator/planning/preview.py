"""How a variant will look on its network, and what of the network's limits it breaks (R-PUB-1),
computed from what is typed (saved or not) so the editor can show it live."""

from __future__ import annotations

import html
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlparse

from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from kurator.networks.limits import Draft, Media, Problem, check_variant
from kurator.networks.telegram.markup import MarkupError, visible_text
from kurator.registry.models import Page

# Telegram's formatting tags, as we show them: everything else is dropped, every attribute but a safe
# link's address too, so what a coordinator types can never run in Kurator's own pages.
SHOWN_TAGS = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "span",
    "span": "span",
    "a": "a",
}
SAFE_SCHEMES = {"http", "https", "tg", "mailto"}


@dataclass(frozen=True)
class Preview:
    page: Page
    text: str
    parse_mode: str
    html: SafeString
    length: int
    problems: list[Problem]

    @property
    def network(self) -> str:
        return self.page.social_network


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = SHOWN_TAGS.get(tag)
        if shown == "a":
            href = dict(attrs).get("href") or ""
            safe = urlparse(href).scheme in SAFE_SCHEMES
            self.out.append(f'<a href="{html.escape(href)}" rel="noopener nofollow">' if safe else "<a>")
        elif shown == "span":
            self.out.append('<span class="tg-spoiler">')
        elif shown:
            self.out.append(f"<{shown}>")

    def handle_endtag(self, tag: str) -> None:
        shown = SHOWN_TAGS.get(tag)
        if shown:
            self.out.append(f"</{shown}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data).replace("\n", "<br>"))


def telegram_html(text: str, parse_mode: str) -> SafeString:
    """The text as a Telegram reader sees it; formatting that cannot be read shows as plain text."""
    if parse_mode.lower() == "html":
        try:
            visible_text(text, parse_mode)  # raises on unknown or unclosed tags, as Telegram would refuse
        except MarkupError:
            return mark_safe(linebreaks(text, autoescape=True))
        parser = _TelegramHTML()
        parser.feed(text)
        parser.close()
        # Safe: built only from escaped data and a fixed set of tags.
        return mark_safe("".join(parser.out))
    try:
        shown = visible_text(text, parse_mode)
    except MarkupError:
        shown = text
    return mark_safe(linebreaks(urlize(shown, nofollow=True, autoescape=True), autoescape=False))


def vk_html(text: str) -> SafeString:
    """VK shows the text as typed, with links made clickable."""
    return mark_safe(linebreaks(urlize(text, nofollow=True, autoescape=True), autoescape=False))


def preview(page: Page, text: str, parse_mode: str, media: tuple[Media, ...]) -> Preview:
    draft = Draft(text=text, media=media, parse_mode=parse_mode)
    problems = check_variant(page.social_network, draft)
    if page.social_network == "telegram":
        rendered = telegram_html(text, parse_mode)
        try:
            length = len(visible_text(text, parse_mode))
        except MarkupError:
            length = len(text)
    else:
        rendered, length = vk_html(text), len(text)
    return Preview(page, text, parse_mode, rendered, length, problems)
