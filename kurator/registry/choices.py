from django.db import models
from django.utils.translation import gettext_lazy as _


class SocialNetwork(models.TextChoices):
    """The networks a page can live on (R-ORG-2), in order of importance."""

    VK = "vk", _("VK")
    TELEGRAM = "telegram", _("Telegram")
    OK = "ok", _("Odnoklassniki")
    MAX = "max", _("MAX")
    DZEN = "dzen", _("Dzen")
    YOUTUBE = "youtube", _("YouTube")
    TIKTOK = "tiktok", _("TikTok")
    INSTAGRAM = "instagram", _("Instagram")
    FACEBOOK = "facebook", _("Facebook")
    X = "x", _("X (Twitter)")


# Networks Kurator can publish to through their API; the others are always assisted (R-PUB-8).
API_NETWORKS = frozenset({SocialNetwork.VK, SocialNetwork.TELEGRAM, SocialNetwork.OK, SocialNetwork.MAX})


class PublishingMode(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic (through the network's API)")
    ASSISTED = "assisted", _("Assisted (a reminder and a hand-off to a person)")


class ConnectionEndpoint(models.TextChoices):
    """Where a connected page's posts go (R-PUB-5): the real network or the built-in sandbox (R-PUB-6)."""

    NETWORK = "network", _("The real network")
    SANDBOX = "sandbox", _("The built-in sandbox (training)")


class TokenStatus(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked yet")
    WORKING = "working", _("Works")
    FAILING = "failing", _("Does not work")
