"""VK's limits for a wall post (networks.md §1.6, dev.vk.com/en/method/wall.post)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from kurator.networks.limits import Draft, Problem

# VK publishes no maximum text length; 16,384 characters is the figure commonly cited (networks.md §1.6 [U]),
# so it can be changed in settings without a release.
TEXT_MAX = 16384
MEDIA_MAX = 10  # photos and videos together
LINK_ATTACHMENTS_MAX = 1  # "at most one external URL" among the attachments
PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif")

# Request rates (networks.md §1.5): 3 requests a second for a user token (the token wall.post needs),
# 20 for a community token, and 50 wall posts a day in one community (error 214 beyond).
VK_RATES = {"user_token_per_second": 3, "community_token_per_second": 20, "wall_posts_per_day": 50}


def text_max() -> int:
    return int(getattr(settings, "KURATOR_VK_TEXT_MAX", TEXT_MAX))


def check(draft: Draft) -> list[Problem]:
    problems = []
    if not draft.text.strip() and not draft.media and not draft.link_attachments:
        problems.append(Problem("empty", _("VK needs a text or an attachment.")))
    if len(draft.text) > text_max():
        problems.append(
            Problem(
                "text_too_long",
                _("The text has %(length)s characters; VK accepts at most %(limit)s.")
                % {"length": len(draft.text), "limit": text_max()},
            )
        )
    if len(draft.media) > MEDIA_MAX:
        problems.append(
            Problem(
                "too_many_media",
                _("%(count)s photos and videos; a VK post takes at most %(limit)s.")
                % {"count": len(draft.media), "limit": MEDIA_MAX},
            )
        )
    if len(draft.link_attachments) > LINK_ATTACHMENTS_MAX:
        problems.append(Problem("too_many_links", _("VK attaches at most one external link to a post.")))
    for item in draft.media:
        if item.kind == "photo" and item.content_type and item.content_type not in PHOTO_TYPES:
            problems.append(Problem("photo_format", _("VK takes photos as JPEG, PNG or GIF.")))
            break
    return problems
