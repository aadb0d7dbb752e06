"""Content planning (R-PLAN-1..11): authored rubrics, posts with one variant per target page, their
media, mentions and designer requests, and the calendar of memorable dates."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kurator.core.choices import Weekday
from kurator.planning.choices import (
    Cadence,
    Direction,
    MediaKind,
    MentionKind,
    PostState,
    RubricFormat,
    WeekdayOrdinal,
    weekday_rule_text,
)


class Rubric(models.Model):
    """An authored heading with its own hashtag (#бюроизобретений), owned by one person of the working
    group, published on a cadence to a set of pages; it can be paused and reformatted (seed 000)."""

    network = models.ForeignKey(
        "registry.Network", verbose_name=_("library network"), on_delete=models.CASCADE, related_name="rubrics"
    )
    name = models.CharField(_("name"), max_length=200)
    hashtag = models.CharField(_("hashtag"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="rubrics"
    )
    format = models.CharField(_("format"), max_length=16, choices=RubricFormat.choices, default=RubricFormat.TEXT)
    cadence = models.CharField(_("cadence"), max_length=16, choices=Cadence.choices, default=Cadence.WEEKLY)
    weekday = models.PositiveSmallIntegerField(_("usual weekday"), null=True, blank=True)
    pages = models.ManyToManyField("registry.Page", verbose_name=_("pages"), related_name="rubrics", blank=True)
    paused = models.BooleanField(_("paused"), default=False)
    pause_reason = models.CharField(_("reason for the pause"), max_length=300, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[pages])

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["network", "name"], name="rubric_name_unique_in_network")]

    def __str__(self) -> str:
        return f"{self.name} {self.hashtag}".strip()


class Post(models.Model):
    """One piece of content planned for one moment, published as a variant on each target page."""

    network = models.ForeignKey(
        "registry.Network", verbose_name=_("library network"), on_delete=models.CASCADE, related_name="posts"
    )
    title = models.CharField(_("working title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    planned_at = models.DateTimeField(_("publication time"), db_index=True)
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Approved within the same working day (003 § 5.6).")
    )
    direction = models.CharField(_("direction"), max_length=24, choices=Direction.choices, default=Direction.COLLECTION)
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    direction_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("other direction approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("003 § 4.2: the administration approves posts outside § 4.1."),
    )
    topics = models.JSONField(_("topics of Appendix 2"), default=list, blank=True)
    partner = models.BooleanField(_("partner material"), default=False)
    borrowed_author = models.CharField(_("author of borrowed material"), max_length=200, blank=True)
    borrowed_source = models.CharField(_("source of borrowed material"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="authored_posts"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=PostState.choices, default=PostState.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["planned_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(borrowed_author="") | ~Q(borrowed_source=""), name="borrowed_material_names_its_source"
            )
        ]

    def __str__(self) -> str:
        return self.title


class PostVariant(models.Model):
    """The post as it goes to one page (R-PUB-1): its own text if the network needs another one."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="variants")
    page = models.ForeignKey("registry.Page", verbose_name=_("page"), on_delete=models.PROTECT, related_name="variants")
    text = models.TextField(_("text for this page"), blank=True, help_text=_("Empty: the post's text."))
    parse_mode = models.CharField(_("formatting"), max_length=12, blank=True)  # Telegram: HTML / MarkdownV2
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [models.UniqueConstraint(fields=["post", "page"], name="one_variant_per_post_and_page")]

    def __str__(self) -> str:
        return f"{self.post} → {self.page}"

    @property
    def effective_text(self) -> str:
        return self.text or self.post.text


def media_upload_path(instance: PostMedia, filename: str) -> str:
    """A generated name: the uploaded name is kept only as a label, never used on disk (issue 5 item 2)."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"posts/{instance.post.network_id}/{uuid.uuid4().hex}{suffix}"


class PostMedia(models.Model):
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(_("kind"), max_length=8, choices=MediaKind.choices)
    file = models.FileField(_("file"), upload_to=media_upload_path)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.original_name


class Mention(models.Model):
    """A person, faculty or partner account mentioned in a post (R-PLAN-10, seed 000 "Mentions")."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="mentions")
    kind = models.CharField(_("kind"), max_length=10, choices=MentionKind.choices)
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    shared_back = models.BooleanField(_("shared our post"), default=False)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")

    def __str__(self) -> str:
        return self.name


class DesignerRequest(models.Model):
    """A request for visuals (003 § 5.7, R-PLAN-11), due before the post's review deadline."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="designer_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    designer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="design_tasks",
    )
    description = models.TextField(_("what is needed"))
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("designer request")
        verbose_name_plural = _("designer requests")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.post}: {self.due_on:%d.%m.%Y}"


class MemorableDate(models.Model):
    """A date of the literary or library calendar (R-PLAN-5). Without a network it ships with Kurator
    (the starter set, each with its source); with one, that network imported or added it.

    Most dates are a day of a month (27 May). A date that moves from year to year is a weekday rule
    instead: the first to fourth, or the last, weekday of a month (День матери in Russia is the last
    Sunday of November); then `day` is empty and `weekday` and `ordinal` say which day it is."""

    network = models.ForeignKey(
        "registry.Network",
        verbose_name=_("library network"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memorable_dates",
    )
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True, help_text=_("Empty for a date that moves."))
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True, help_text=_("For a date that moves.")
    )
    ordinal = models.SmallIntegerField(
        _("which weekday of the month"),
        choices=WeekdayOrdinal.choices,
        null=True,
        blank=True,
        help_text=_("For a date that moves: the first to the fourth, or the last."),
    )
    year = models.IntegerField(
        _("year of the event"), null=True, blank=True, help_text=_("Gives the round anniversaries.")
    )
    title = models.CharField(_("what"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("memorable date")
        verbose_name_plural = _("memorable dates")
        ordering = ["month", "day", "ordinal", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12)
                & (
                    Q(day__gte=1, day__lte=31, weekday__isnull=True, ordinal__isnull=True)
                    | Q(day__isnull=True, weekday__gte=0, weekday__lte=6, ordinal__in=WeekdayOrdinal.values)
                ),
                name="memorable_date_is_a_date",
            ),
            models.UniqueConstraint(fields=["network", "month", "day", "title"], name="memorable_date_once"),
            models.UniqueConstraint(
                fields=["network", "month", "weekday", "ordinal", "title"],
                condition=Q(day__isnull=True),
                name="moving_memorable_date_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.when} {self.title}"

    @property
    def moves(self) -> bool:
        return self.day is None

    @property
    def when(self) -> str:
        """27.05, 27.05.1795 or «последнее воскресенье ноября»."""
        if self.day is None:
            assert self.weekday is not None and self.ordinal is not None  # the check constraint says so
            return weekday_rule_text(self.month, self.weekday, self.ordinal)
        return f"{self.day:02d}.{self.month:02d}" + (f".{self.year}" if self.year is not None else "")
