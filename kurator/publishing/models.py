"""Publishing, exactly once (R-PUB-2): one Publication row per approved variant, moved through its states
by compare-and-set, with every step kept in the publication log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kurator.publishing.choices import PublicationMode, PublicationState
from kurator.publishing.explain import Meaning, meaning_of


class Publication(models.Model):
    """The way of one post variant onto its page. `version` changes whenever the row is re-armed,
    moved or cancelled, so a queued job that carries an older version does nothing; `lease_owner` and
    `lease_until` belong to the worker that claimed the row for one call to the network."""

    post = models.ForeignKey(
        "planning.Post", verbose_name=_("post"), on_delete=models.CASCADE, related_name="publications"
    )
    variant = models.ForeignKey(
        "planning.PostVariant",
        verbose_name=_("variant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # the log outlives a variant removed from a draft
        related_name="publications",
    )
    page = models.ForeignKey(
        "registry.Page", verbose_name=_("page"), on_delete=models.PROTECT, related_name="publications"
    )
    mode = models.CharField(_("how"), max_length=12, choices=PublicationMode.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=PublicationState.choices, default=PublicationState.SCHEDULED
    )
    reason = models.CharField(_("why it waits"), max_length=16, blank=True)
    due_at = models.DateTimeField(_("due"), db_index=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    late_allowed = models.BooleanField(_("a person allowed it late"), default=False)
    version = models.PositiveIntegerField(default=1)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    lease_owner = models.CharField(max_length=40, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    guid = models.CharField(max_length=64)
    first_sent_at = models.DateTimeField(_("first sent"), null=True, blank=True)
    # The network may have it: a call went unanswered. From then on only a read-back or a person decides.
    maybe_out = models.BooleanField(default=False)
    queued_for = models.DateTimeField(null=True, blank=True)  # the moment a job was last queued for
    external_id = models.CharField(_("ID on the network"), max_length=64, blank=True)
    external_url = models.URLField(_("link"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    error_code = models.IntegerField(_("error code"), null=True, blank=True)
    error_message = models.TextField(_("network's message"), blank=True)
    prepared_media = models.JSONField(default=list, blank=True)  # VK attachments already uploaded
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant"], condition=Q(variant__isnull=False), name="one_publication_per_variant"
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="publication_work_queue")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.page_id} {self.state}"

    def explanation(self) -> Meaning | None:
        """What the network's error means, in the person's language (None when there is nothing to add)."""
        return meaning_of(self.page.social_network, self.error_code) if self.error_message else None


class PublicationEvent(models.Model):
    """One line of the publication log (R-PUB-2): what happened, when, and the network's own words."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), db_index=True)
    state = models.CharField(_("state"), max_length=12, choices=PublicationState.choices)
    message = models.TextField(_("what happened"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("publication log entry")
        verbose_name_plural = _("publication log")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.state}: {self.message}"


class RateSlot(models.Model):
    """A moment reserved for one request under a rate limit (R-PUB-3), shared by every worker through
    the database: past slots are requests made, future ones a queue in order of arrival."""

    key = models.CharField(max_length=120)
    at = models.DateTimeField()
    publication_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="rate_slot_key_at")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.at:%H:%M:%S.%f}"


class RateKey(models.Model):
    """One row per limited key: reservations lock it, so two workers never take the same slot; `hold_until`
    keeps the network's own "slow down" (Telegram retry_after, VK error 6) for everyone."""

    key = models.CharField(max_length=120, unique=True)
    hold_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key
