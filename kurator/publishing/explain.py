"""What a network's error means for the person who has to act on it (R-PUB-2: "shown to the coordinator
in Russian with the network's own message"): the network's words stay as they are, and this says in
the librarians' language what happened and what to do. Codes from networks.md (VK §1.3, Telegram §2)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from kurator.registry.choices import SocialNetwork


def _vk(code: int) -> str:
    meanings = {
        5: _(
            "The token no longer works: it was revoked, expired or the password was changed. Replace the token in the page's connection."
        ),
        6: _("Too many requests a second: Kurator waits and tries again by itself."),
        9: _("Too many similar actions: Kurator waits and tries again by itself."),
        14: _("VK asks for a captcha: publish this post by hand, or wait and send it again."),
        15: _(
            "The token's owner may not post on this wall: check that they are still an administrator of the community."
        ),
        27: _(
            "This is a community token; posting needs an administrator's user token. Replace the token in the page's connection."
        ),
        100: _("VK did not accept the post's content: check the text and the attachments."),
        214: _("VK's limit of 50 posts a day on this wall is reached: send the post tomorrow or publish it by hand."),
    }
    return meanings.get(code, "")


def _telegram(code: int) -> str:
    meanings = {
        400: _("Telegram did not accept the message: check its text, its formatting and the channel's address."),
        401: _("The bot's token does not work: replace it in the page's connection."),
        403: _("The bot may not post in this channel: make it an administrator with the right to post messages."),
        429: _("Too many messages: Telegram asked to wait, and Kurator tries again by itself."),
    }
    return meanings.get(code, "")


# The errors that the page's connection (a new token, restored rights) fixes.
CONNECTION_ERRORS = {SocialNetwork.VK: {5, 15, 27}, SocialNetwork.TELEGRAM: {401, 403}}


@dataclass(frozen=True)
class Meaning:
    text: str
    fixed_in_connection: bool = False

    def __str__(self) -> str:
        return self.text


def meaning_of(social_network: str, code: int | None) -> Meaning | None:
    """What to do about the error, or None where the network's own words must do."""
    if code is None:
        return None
    text = _vk(code) if social_network == SocialNetwork.VK else _telegram(code)
    if social_network not in (SocialNetwork.VK, SocialNetwork.TELEGRAM) or not text:
        return None
    return Meaning(text, code in CONNECTION_ERRORS.get(SocialNetwork(social_network), set()))


def explain(social_network: str, code: int | None) -> str:
    meaning = meaning_of(social_network, code)
    return meaning.text if meaning else ""
