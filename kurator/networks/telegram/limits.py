"""Telegram's limits for a channel post by a bot (networks.md §2.2, the Bot API documentation)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kurator.networks.limits import Draft, Problem
from kurator.networks.telegram.markup import MarkupError, visible_text

TEXT_MAX = 4096  # sendMessage, after entity parsing
CAPTION_MAX = 1024  # sendPhoto / sendMediaGroup caption, after entity parsing
MEDIA_GROUP_MAX = 10
PHOTO_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = 50 * 1024 * 1024

# Sending rates (networks.md §2.2): about 30 messages a second per bot, 20 a minute into one group or channel.
TELEGRAM_RATES = {"bot_per_second": 30, "chat_per_minute": 20}


def check(draft: Draft) -> list[Problem]:
    problems = []
    try:
        shown = visible_text(draft.text, draft.parse_mode)
    except MarkupError as error:
        return [Problem("markup", _("The formatting cannot be read: %(reason)s") % {"reason": error.reason})]
    limit = CAPTION_MAX if draft.media else TEXT_MAX
    if not draft.media and not shown.strip():
        problems.append(Problem("empty", _("A Telegram post without a photo needs a text.")))
    if len(shown) > limit:
        message = (
            _("The caption has %(length)s characters; under a photo Telegram shows at most %(limit)s.")
            if draft.media
            else _("The text has %(length)s characters; Telegram accepts at most %(limit)s.")
        )
        problems.append(Problem("text_too_long", message % {"length": len(shown), "limit": limit}))
    if len(draft.media) > MEDIA_GROUP_MAX:
        problems.append(
            Problem(
                "too_many_media",
                _("%(count)s photos; a Telegram album takes at most %(limit)s.")
                % {"count": len(draft.media), "limit": MEDIA_GROUP_MAX},
            )
        )
    for item in draft.media:
        if item.kind == "photo" and item.size > PHOTO_MAX_BYTES:
            problems.append(Problem("photo_too_big", _("A photo for Telegram must be at most 10 MB.")))
            break
        if item.size > UPLOAD_MAX_BYTES:
            problems.append(Problem("file_too_big", _("A bot uploads files of at most 50 MB to Telegram.")))
            break
    return problems
