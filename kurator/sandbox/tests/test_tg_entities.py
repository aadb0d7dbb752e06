"""The sandbox's own parser of Telegram markup, checked on any text: escaped text comes back unchanged,
and an entity's offset and length are counted in UTF-16 code units whatever the characters."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from kurator.sandbox.tg_entities import MARKDOWN_V2_RESERVED, parse_html, parse_markdown_v2, utf16_length

# Any text a library might write: Cyrillic, emoji beyond the BMP, markup characters, line breaks.
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00") | st.sampled_from("\n<>&_*"),
    max_size=60,
)


def escape_markdown_v2(text: str) -> str:
    return "".join("\\" + ch if ch in MARKDOWN_V2_RESERVED or ch == "\\" else ch for ch in text)


@given(texts)
def test_html_escaped_text_comes_back_unchanged_without_entities(text):
    parsed = parse_html(html.escape(text, quote=False))
    assert parsed.text == text
    assert parsed.entities == []


@given(texts)
def test_markdown_v2_escaped_text_comes_back_unchanged_without_entities(text):
    parsed = parse_markdown_v2(escape_markdown_v2(text))
    assert parsed.text == text
    assert parsed.entities == []


@given(texts, texts.filter(bool))
def test_an_html_entity_is_measured_in_utf16_code_units(before, inside):
    parsed = parse_html(f"{html.escape(before, quote=False)}<b>{html.escape(inside, quote=False)}</b>")
    assert parsed.entities == [{"type": "bold", "offset": utf16_length(before), "length": utf16_length(inside)}]


@given(texts, texts.filter(bool))
def test_a_markdown_v2_entity_is_measured_in_utf16_code_units(before, inside):
    source = f"{escape_markdown_v2(before)}*{escape_markdown_v2(inside)}*"
    parsed = parse_markdown_v2(source)
    assert parsed.entities == [{"offset": utf16_length(before), "length": utf16_length(inside), "type": "bold"}]


def test_an_emoji_outside_the_basic_plane_counts_as_two_units():
    assert utf16_length("👍") == 2
    assert utf16_length("я") == 1
    assert parse_html("👍<i>x</i>").entities == [{"type": "italic", "offset": 2, "length": 1}]
