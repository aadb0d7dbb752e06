"""What a post variant must satisfy before it can be approved (R-PUB-1): one table of limits per
network, and one check that reads it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Media:
    """One attached file as the variant will upload it."""

    kind: str  # "photo" or "video"
    size: int  # bytes
    content_type: str = ""


@dataclass(frozen=True)
class Draft:
    """A variant as a network will receive it: the text as written (with its markup) and its media."""

    text: str
    media: tuple[Media, ...] = ()
    parse_mode: str = ""  # Telegram: "HTML", "MarkdownV2" or "" (plain text)
    link_attachments: tuple[str, ...] = ()  # VK: external links attached as link snippets


@dataclass(frozen=True)
class Problem:
    """A limit the variant breaks, in the person's language, with the figures that matter."""

    code: str
    message: str
    values: dict[str, object] = field(default_factory=dict)


def check_variant(network: str, draft: Draft) -> list[Problem]:
    """Every limit of that network the draft breaks; empty when the network would accept it."""
    from kurator.networks.telegram.limits import check as check_telegram
    from kurator.networks.vk.limits import check as check_vk

    checks = {"vk": check_vk, "telegram": check_telegram}
    if network not in checks:
        return []  # assisted networks (R-PUB-8): a person posts by hand, within what the site allows
    return checks[network](draft)
