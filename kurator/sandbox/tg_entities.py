"""Telegram's formatting options (parse_mode HTML and MarkdownV2), parsed the way the Bot API parses
them: markup in, plain text and MessageEntity dicts out, with offsets and lengths in UTF-16 code units.

Written from the Bot API's "Formatting options" section. The error texts follow the real server's
(`can't parse entities: Unsupported start tag "x" at byte offset 0`, `Character '.' is reserved …`),
because adapters match on them. Limits such as 4096 characters apply to the text AFTER parsing, which
is why the API layer parses first and measures second."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!"
HTML_TAGS = {
    "a",
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
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
}
_SIMPLE_HTML = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_TYPE_ORDER = [
    "blockquote",
    "expandable_blockquote",
    "pre",
    "code",
    "text_link",
    "custom_emoji",
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
]
_WHITESPACE = " \t\r\n"


class EntityParseError(ValueError):
    """Markup Telegram would refuse; str(error) is the part after "can't parse entities: "."""


@dataclass
class Parsed:
    text: str
    entities: list[dict] = field(default_factory=list)


def utf16_length(text: str) -> int:
    """Telegram counts entity offsets in UTF-16 code units: an emoji outside the BMP counts twice."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def parse(text: str, parse_mode: str | None) -> Parsed:
    """Parse `text` by `parse_mode` (None: plain text); raise EntityParseError for invalid markup and
    ValueError("unsupported parse_mode") for an unknown mode."""
    mode = (parse_mode or "").strip().lower()
    if not mode:
        parsed = Parsed(text, [])
    elif mode == "html":
        parsed = parse_html(text)
    elif mode == "markdownv2":
        parsed = parse_markdown_v2(text)
    elif mode == "markdown":
        parsed = parse_markdown_legacy(text)
    else:
        raise ValueError("unsupported parse_mode")
    parsed = trimmed(parsed)
    return Parsed(parsed.text, with_detected(parsed.text, parsed.entities))


# --- HTML ---------------------------------------------------------------------------------------


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the result
    result_index: int  # index into the result string (for <a> without href)
    expandable: bool = False


def _decode_html_entity(source: str, pos: int) -> tuple[str, int] | None:
    """(character, index after it) for &lt; &gt; &amp; &quot; and numeric references, else None:
    Telegram leaves an unknown "&name;" as it is. The semicolon is optional, as on the real server."""
    n = len(source)
    end = pos + 1
    code = 0
    if end < n and source[end] == "#":
        end += 1
        if end < n and source[end] == "x":
            end += 1
            while end < n and source[end] in "0123456789abcdefABCDEF":
                code = code * 16 + int(source[end], 16)
                end += 1
                if code >= 0x10FFFF:
                    return None
        else:
            while end < n and source[end].isdigit() and source[end].isascii():
                code = code * 10 + int(source[end])
                end += 1
                if code >= 0x10FFFF:
                    return None
        if code == 0 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < n and source[end].isascii() and source[end].isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(source[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and source[end] == ";":
        end += 1
    return char, end


def _checked_url(url: str) -> str | None:
    """The link as Telegram keeps it, or None when it is no link (the entity is then dropped)."""
    url = url.strip()
    if not url:
        return None
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    if match:
        scheme = match.group(1).lower()
        return url if scheme in {"http", "https", "tg", "ton", "tonsite"} else None
    if re.match(r"^[\w-]+(\.[\w-]+)+([/?#:].*)?$", url):
        return "http://" + url
    return None


def _html_attributes(source: str, i: int, tag: str, begin: int) -> tuple[str, bool, int]:
    """Parse the attributes of a start tag from index i; return (argument, expandable, index of '>')."""
    n = len(source)
    argument = ""
    expandable = False
    while True:
        while i < n and source[i] in _WHITESPACE:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
        if source[i] == ">":
            return argument, expandable, i
        name_start = i
        while i < n and source[i] not in _WHITESPACE and source[i] not in "=>":
            i += 1
        name = source[name_start:i].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(source, begin)}'
            )
        while i < n and source[i] in _WHITESPACE:
            i += 1
        if i >= n or source[i] != "=":
            if tag == "blockquote" and name == "expandable":
                expandable = True
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
        i += 1
        while i < n and source[i] in _WHITESPACE:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
        if source[i] in "'\"":
            quote = source[i]
            i += 1
            chars: list[str] = []
            while i < n and source[i] != quote:
                if source[i] == "&" and (decoded := _decode_html_entity(source, i)):
                    chars.append(decoded[0])
                    i = decoded[1]
                    continue
                chars.append(source[i])
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
            i += 1
            value = "".join(chars)
        else:
            token_start = i
            while i < n and ((source[i].isascii() and source[i].isalnum()) or source[i] in ".-"):
                i += 1
            value = source[token_start:i].lower()
            if i < n and source[i] not in _WHITESPACE and source[i] != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(source, token_start)}"
                )
        if tag == "a" and name == "href":
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif tag == "tg-emoji" and name == "emoji-id":
            argument = value


def _close_html_entity(opened: _OpenTag, length: int, result: str, entities: list[dict]) -> None:
    offset = opened.offset
    tag = opened.name
    if tag in _SIMPLE_HTML:
        entities.append({"type": _SIMPLE_HTML[tag], "offset": offset, "length": length})
    elif tag == "a":
        url = _checked_url(opened.argument or result[opened.result_index :])
        if url:
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif tag == "tg-emoji":
        if not opened.argument.isdigit() or int(opened.argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(
            {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": opened.argument}
        )
    elif tag == "blockquote":
        kind = "expandable_blockquote" if opened.expandable else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if last and last["type"] == "pre" and last["offset"] == offset and last["length"] == length:
            if opened.argument:
                last["language"] = opened.argument
        else:
            # A language belongs to pre blocks only; on a standalone <code> Telegram ignores it.
            entities.append({"type": "code", "offset": offset, "length": length, "_language": opened.argument})
    elif tag == "pre":
        last = entities[-1] if entities else None
        if last and last["type"] == "code" and last["offset"] == offset and last["length"] == length:
            language = last.pop("_language", "")
            last["type"] = "pre"
            if language:
                last["language"] = language
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})


def parse_html(source: str) -> Parsed:
    result: list[str] = []
    result_len = 0  # in code points, to slice the result for <a> without href
    utf16 = 0
    entities: list[dict] = []
    stack: list[_OpenTag] = []
    i = 0
    n = len(source)
    while i < n:
        char = source[i]
        if char == "&" and (decoded := _decode_html_entity(source, i)):
            result.append(decoded[0])
            result_len += 1
            utf16 += utf16_length(decoded[0])
            i = decoded[1]
            continue
        if char != "<":
            result.append(char)
            result_len += 1
            utf16 += utf16_length(char)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and source[i] == "/":
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(source, begin)}")
            name_start = i + 1
            while i < n and source[i] not in _WHITESPACE and source[i] != ">":
                i += 1
            end_name = source[name_start:i].lower()
            while i < n and source[i] in _WHITESPACE:
                i += 1
            if i >= n or source[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(source, begin)}")
            opened = stack.pop()
            if end_name and end_name != opened.name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {_byte_offset(source, begin)}, expected "</{opened.name}>", '
                    f'found "</{end_name}>"'
                )
            if utf16 > opened.offset:
                _close_html_entity(opened, utf16 - opened.offset, "".join(result), entities)
            i += 1
            continue
        name_end = i
        while name_end < n and source[name_end] not in _WHITESPACE and source[name_end] != ">":
            name_end += 1
        tag = source[i:name_end].lower()
        if tag not in HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}')
        argument, expandable, close_at = _html_attributes(source, name_end, tag, begin)
        if tag == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, begin)}'
            )
        stack.append(_OpenTag(tag, argument, utf16, result_len, expandable))
        i = close_at + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        entity.pop("_language", None)
    return Parsed("".join(result), _sorted(entities))


# --- MarkdownV2 ---------------------------------------------------------------------------------

_MD_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "pre_code": "PreCode",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _OpenMd:
    kind: str
    argument: str
    offset: int
    byte_offset: int
    result_index: int


def _reserved_error(char: str) -> EntityParseError:
    return EntityParseError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")


def _md_ends(kind: str, source: str, i: int) -> bool:
    char = source[i]
    following = source[i + 1] if i + 1 < len(source) else ""
    if kind == "bold":
        return char == "*"
    if kind == "italic":
        return char == "_" and following != "_"
    if kind == "underline":
        return char == "_" and following == "_"
    if kind == "strikethrough":
        return char == "~"
    if kind == "spoiler":
        return char == "|" and following == "|"
    if kind == "code":
        return char == "`"
    if kind in ("pre", "pre_code"):
        return source.startswith("```", i)
    return char == "]"  # text_link, custom_emoji


def _md_link_target(source: str, i: int) -> tuple[str | None, int]:
    """After the ']' at i: the "(url)" part, unescaped, and the index of its ')' (None: no such part)."""
    if i + 1 >= len(source) or source[i + 1] != "(":
        return None, i
    i += 2
    start = i
    url: list[str] = []
    while i < len(source) and source[i] != ")":
        if source[i] == "\\" and i + 1 < len(source) and 0 < ord(source[i + 1]) <= 126:
            url.append(source[i + 1])
            i += 2
            continue
        url.append(source[i])
        i += 1
    if i >= len(source):
        raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(source, start)}")
    return "".join(url), i


def parse_markdown_v2(source: str) -> Parsed:
    result: list[str] = []
    result_len = 0
    utf16 = 0
    entities: list[dict] = []
    stack: list[_OpenMd] = []
    quote_start: int | None = None  # UTF-16 offset where the current block quotation began
    i = 0
    n = len(source)
    while i < n:
        char = source[i]
        in_code = bool(stack) and stack[-1].kind in ("code", "pre", "pre_code")
        at_line_start = i == 0 or source[i - 1] == "\n"
        if at_line_start and not in_code:
            if char == ">":
                if quote_start is None:
                    quote_start = utf16
                i += 1
                continue
            if quote_start is not None:
                # The quotation ended with the previous line; its newline is not part of it.
                end = utf16 - 1 if result and result[-1] == "\n" else utf16
                if end > quote_start:
                    entities.append({"type": "blockquote", "offset": quote_start, "length": end - quote_start})
                quote_start = None
        if char == "\\" and i + 1 < n and 0 < ord(source[i + 1]) <= 126:
            result.append(source[i + 1])
            result_len += 1
            utf16 += 1
            i += 2
            continue
        reserved = "`" if in_code else MARKDOWN_V2_RESERVED
        if char not in reserved:
            result.append(char)
            result_len += 1
            utf16 += utf16_length(char)
            i += 1
            continue
        if stack and _md_ends(stack[-1].kind, source, i):
            opened = stack.pop()
            kind = opened.kind
            argument = opened.argument
            skip = utf16 == opened.offset
            if kind in ("underline", "spoiler"):
                i += 1
            elif kind in ("pre", "pre_code"):
                i += 2
            elif kind in ("text_link", "custom_emoji"):
                target, i = _md_link_target(source, i)
                if kind == "custom_emoji":
                    match = re.fullmatch(r"tg://emoji\?id=(\d+)", target or "")
                    if not match:
                        raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
                    argument = match.group(1)
                else:
                    url = _checked_url(target if target is not None else "".join(result)[opened.result_index :])
                    if url is None:
                        skip = True
                    argument = url or ""
            if not skip:
                entity: dict = {"offset": opened.offset, "length": utf16 - opened.offset}
                if kind == "pre_code":
                    entity.update(type="pre", language=argument)
                elif kind == "text_link":
                    entity.update(type="text_link", url=argument)
                elif kind == "custom_emoji":
                    entity.update(type="custom_emoji", custom_emoji_id=argument)
                else:
                    entity["type"] = kind
                entities.append(entity)
            i += 1
            continue
        begin = i
        following = source[i + 1] if i + 1 < n else ""
        argument = ""
        if char == "_" and following == "_":
            kind = "underline"
            i += 1
        elif char == "_":
            kind = "italic"
        elif char == "*":
            kind = "bold"
        elif char == "~":
            kind = "strikethrough"
        elif char == "|" and following == "|":
            kind = "spoiler"
            i += 1
        elif char == "[":
            kind = "text_link"
        elif char == "!" and following == "[":
            kind = "custom_emoji"
            i += 1
        elif char == "`" and source.startswith("```", i):
            i += 3
            kind = "pre"
            language_end = i
            while language_end < n and source[language_end] not in _WHITESPACE and source[language_end] != "`":
                language_end += 1
            if language_end != i and language_end < n and source[language_end] != "`":
                kind = "pre_code"
                argument = source[i:language_end]
                i = language_end
            # One line break right after the opening fence is not part of the block.
            if source.startswith(("\r\n", "\n\r"), i):
                i += 2
            elif i < n and source[i] in "\r\n":
                i += 1
            i -= 1
        elif char == "`":
            kind = "code"
        else:
            raise _reserved_error(char)
        stack.append(_OpenMd(kind, argument, utf16, _byte_offset(source, begin), result_len))
        i += 1
    if quote_start is not None and utf16 > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": utf16 - quote_start})
    if stack:
        opened = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MD_TYPE_NAMES[opened.kind]} entity at byte offset {opened.byte_offset}"
        )
    return Parsed("".join(result), _sorted(entities))


# --- Markdown (legacy) --------------------------------------------------------------------------


def parse_markdown_legacy(source: str) -> Parsed:
    """The old Markdown mode: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    result: list[str] = []
    utf16 = 0
    entities: list[dict] = []
    i = 0
    n = len(source)
    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            result.append(source[i + 1])
            utf16 += 1
            i += 2
            continue
        if char not in "_*`[":
            result.append(char)
            utf16 += utf16_length(char)
            i += 1
            continue
        begin = i
        if char == "[":
            close = source.find("]", i + 1)
            if close < 0 or not source.startswith("(", close + 1) or source.find(")", close + 2) < 0:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(source, begin)}"
                )
            label = source[i + 1 : close]
            url_end = source.find(")", close + 2)
            url = _checked_url(source[close + 2 : url_end])
            if url and label:
                entities.append({"type": "text_link", "offset": utf16, "length": utf16_length(label), "url": url})
            result.append(label)
            utf16 += utf16_length(label)
            i = url_end + 1
            continue
        fence = "```" if source.startswith("```", i) else char
        end = source.find(fence, i + len(fence))
        if end < 0:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(source, begin)}"
            )
        inner = source[i + len(fence) : end]
        kind = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}[fence]
        if fence == "```" and inner.startswith("\n"):
            inner = inner[1:]
        if inner:
            entities.append({"type": kind, "offset": utf16, "length": utf16_length(inner)})
        result.append(inner)
        utf16 += utf16_length(inner)
        i = end + len(fence)
    return Parsed("".join(result), _sorted(entities))


# --- after parsing ------------------------------------------------------------------------------


def _sorted(entities: list[dict]) -> list[dict]:
    def key(entity: dict) -> tuple[int, int, int]:
        kind = entity["type"]
        order = _TYPE_ORDER.index(kind) if kind in _TYPE_ORDER else len(_TYPE_ORDER)
        return entity["offset"], -entity["length"], order

    return sorted(entities, key=key)


def trimmed(parsed: Parsed) -> Parsed:
    """Telegram drops leading and trailing white space from a message; entities move and shrink with it."""
    text = parsed.text
    stripped = text.strip(_WHITESPACE)
    if stripped == text:
        return parsed
    lead = utf16_length(text[: len(text) - len(text.lstrip(_WHITESPACE))])
    new_length = utf16_length(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, new_length)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return Parsed(stripped, entities)


# --- entities Telegram finds by itself ----------------------------------------------------------

# Telegram marks these in any text, with or without parse_mode: a library's #рубрика comes back as a
# hashtag entity, a link as a url. Not inside code, pre or a text link.
_DETECTORS = [
    ("url", re.compile(r"(?<![\w@/.])(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}(?![\w])")),
    ("hashtag", re.compile(r"(?<![\w#])#(?=\w*[^\W\d_])\w{1,256}")),
    ("cashtag", re.compile(r"(?<![\w$])\$[A-Z]{3,8}(?![\w])")),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z][A-Za-z0-9_]{0,63}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
]
_BLOCKING = {"code", "pre", "text_link", "text_mention", "custom_emoji"}
_URL_TAIL = ".,;:!?'\")]»"


def with_detected(text: str, entities: list[dict]) -> list[dict]:
    """`entities` plus the mentions, hashtags, cashtags, bot commands, URLs and e-mails in `text`."""
    if not text:
        return entities
    units = [0]
    for char in text:
        units.append(units[-1] + utf16_length(char))
    taken = [(e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _BLOCKING]
    found: list[dict] = []
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in _URL_TAIL:
                    end -= 1
            begin, finish = units[start], units[end]
            if finish <= begin or any(begin < b and a < finish for a, b in taken):
                continue
            taken.append((begin, finish))
            found.append({"type": kind, "offset": begin, "length": finish - begin})
    return _sorted(entities + found) if found else entities
