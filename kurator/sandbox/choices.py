from django.db import models
from django.utils.translation import gettext_lazy as _


class Network(models.TextChoices):
    VK = "vk", _("VK")
    TELEGRAM = "telegram", _("Telegram")


class VkTokenKind(models.TextChoices):
    USER = "user", _("User token (an administrator's)")
    COMMUNITY = "community", _("Community token")


class TgChatType(models.TextChoices):
    CHANNEL = "channel", _("Channel")
    SUPERGROUP = "supergroup", _("Group")
    PRIVATE = "private", _("Private chat")


class LedgerAction(models.TextChoices):
    CREATED = "created", _("created")
    EDITED = "edited", _("edited")
    DELETED = "deleted", _("deleted")


class FaultKind(models.TextChoices):
    LATENCY = "latency", _("Added latency")
    RATE_LIMIT = "rate_limit", _("Rate limit (VK error 6, Telegram 429)")
    SERVER_ERROR = "server_error", _("Server error (5xx)")
    CONNECTION_RESET = "connection_reset", _("Connection reset")
    ACCEPT_THEN_TIMEOUT = "accept_then_timeout", _("Accept, then never answer")
    REVOKE_TOKEN = "revoke_token", _("Token revoked")
    LOSE_ADMIN = "lose_admin", _("Administrator rights lost")
    CAPTCHA = "captcha", _("Captcha required (VK error 14)")
