"""Domain-free building blocks: calendar overrides, audit events, notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kurator.core.choices import Country, OverrideKind


class CalendarOverride(models.Model):
    """A decision of the administration that changes one day of a country's production calendar:
    a shortened pre-holiday day, an extra day off, or a working day the published calendar lacks."""

    # Empty: the whole installation (set by the operator); else only that network's administration decided it.
    network_id = models.BigIntegerField(_("network"), null=True, blank=True, db_index=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=OverrideKind.choices)
    shortened_by_minutes = models.PositiveSmallIntegerField(
        _("shortened by, minutes"), default=60, help_text=_("Only for shortened days.")
    )
    note = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["network_id", "country", "date"], name="one_override_per_network_country_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.get_country_display()}: {self.get_kind_display()}"


class AuditEvent(models.Model):
    """An explicit, human-meaningful step (appointment, approval, deletion with reason) that the
    field-level history alone would not explain."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A plain number, not a foreign key: core knows no domain, yet events must be scoped per network.
    network_id = models.BigIntegerField(_("network"), null=True, blank=True, db_index=True)
    verb = models.CharField(_("action"), max_length=64)
    summary = models.TextField(_("summary"))
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return self.summary


class Notification(models.Model):
    """A message in a person's notifications area (and, when asked, by e-mail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    message = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message
