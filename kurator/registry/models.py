"""The organisation of 003 (R-ORG-1..3): network → library → department, and the page registry."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kurator.core.choices import TIME_ZONES, Country, Weekday
from kurator.core.crypto import EncryptedTextField
from kurator.registry.choices import ConnectionEndpoint, PublishingMode, SocialNetwork, TokenStatus


class Network(models.Model):
    """A library network (ЦБС). Networks in one installation never see each other's data."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.SlugField(_("code"), max_length=60, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=40, choices=TIME_ZONES, default="Europe/Moscow")
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.RUSSIA)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("library network")
        verbose_name_plural = _("library networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Unit(models.Model):
    """What libraries and departments share: an address, a point on the map, a time zone, a country
    and a head (R-ORG-1)."""

    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({"latitude": _("Latitude must be between -90 and 90.")})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError({"longitude": _("Longitude must be between -180 and 180.")})


class Library(Unit):
    """A library of the network: the central one or a branch (филиал)."""

    network = models.ForeignKey(Network, verbose_name=_("network"), on_delete=models.PROTECT, related_name="libraries")
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    is_central = models.BooleanField(_("central library"), default=False)
    time_zone = models.CharField(_("time zone"), max_length=40, choices=TIME_ZONES, default="Europe/Moscow")
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.RUSSIA)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_libraries",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")
        ordering = ["-is_central", "name"]
        constraints = [models.UniqueConstraint(fields=["network", "name"], name="library_name_unique_in_network")]

    def __str__(self) -> str:
        return self.short_name or self.name


class Department(Unit):
    """A department (отдел) of a library. Blank address and coordinates mean "as the library";
    a department without its own hours keeps the library's."""

    library = models.ForeignKey(
        Library, verbose_name=_("library"), on_delete=models.PROTECT, related_name="departments"
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["library__name", "name"]
        constraints = [models.UniqueConstraint(fields=["library", "name"], name="department_name_unique_in_library")]

    def __str__(self) -> str:
        return f"{self.library}: {self.name}"

    @property
    def network(self) -> Network:
        return self.library.network

    @property
    def time_zone(self) -> str:
        return self.library.time_zone

    @property
    def country(self) -> str:
        return self.library.country

    @property
    def effective_address(self) -> str:
        return self.address or self.library.address


class WorkingHours(models.Model):
    """Opening hours of a library or a department on one weekday; a weekday without a row is closed."""

    library = models.ForeignKey(
        Library, verbose_name=_("library"), null=True, blank=True, on_delete=models.CASCADE, related_name="hours"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE, related_name="hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"), default=time(10, 0))
    closes = models.TimeField(_("closes"), default=time(19, 0))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday"]
        constraints = [
            models.CheckConstraint(
                condition=Q(library__isnull=False, department__isnull=True)
                | Q(library__isnull=True, department__isnull=False),
                name="hours_belong_to_one_unit",
            ),
            models.CheckConstraint(condition=Q(opens__lt=models.F("closes")), name="hours_open_before_close"),
            models.UniqueConstraint(fields=["library", "weekday"], name="one_hours_row_per_library_weekday"),
            models.UniqueConstraint(fields=["department", "weekday"], name="one_hours_row_per_department_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(models.Model):
    """A local closure (sanitary day, repairs) of a library or one department, decided by the administration."""

    library = models.ForeignKey(Library, verbose_name=_("library"), on_delete=models.CASCADE, related_name="closures")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text=_("Leave empty when the whole library is closed."),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="closure_dates_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}: {self.reason}"


class Page(models.Model):
    """A row of the page registry (003 Appendix 1, R-ORG-2): a community, channel or account of the
    network, a library or one or more departments (joint pages, 003 § 5.2)."""

    network = models.ForeignKey(
        Network, verbose_name=_("library network"), on_delete=models.PROTECT, related_name="pages"
    )
    library = models.ForeignKey(
        Library,
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pages",
        help_text=_("Empty for the network's own page."),
    )
    name = models.CharField(_("page name"), max_length=200)
    social_network = models.CharField(_("social network"), max_length=16, choices=SocialNetwork.choices)
    url = models.URLField(_("link"), max_length=300)
    approval_weekday = models.PositiveSmallIntegerField(
        _("approval day"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("The weekday on which the curator reviews this page's plan (003 Appendix 1)."),
    )
    verified = models.BooleanField(_("verified by the network"), default=False)
    publishing_mode = models.CharField(
        _("publishing mode"), max_length=16, choices=PublishingMode.choices, default=PublishingMode.ASSISTED
    )
    is_main = models.BooleanField(_("main page of the network"), default=False)
    departments: models.ManyToManyField = models.ManyToManyField(
        Department, through="PageDepartment", verbose_name=_("departments"), related_name="pages", blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["-is_main", "library__name", "name", "social_network"]
        constraints = [
            models.UniqueConstraint(fields=["network", "url"], name="page_url_unique_in_network"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_social_network_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # The copy in PageDepartment is what the database checks R-ORG-3 against: keep it in step,
        # whoever saves the page (services, the Django admin, imports).
        self.page_departments.exclude(social_network=self.social_network).update(social_network=self.social_network)


class PageDepartment(models.Model):
    """A department that runs a page. The page's social network is copied here so that the database
    itself keeps "at most one page per department per network" (R-ORG-3)."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="page_departments")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="page_departments")
    social_network = models.CharField(max_length=16, choices=SocialNetwork.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department of a page")
        verbose_name_plural = _("departments of pages")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "social_network"], name="one_page_per_department_per_network"
            ),
            models.UniqueConstraint(fields=["page", "department"], name="department_once_per_page"),
        ]

    def __str__(self) -> str:
        return f"{self.department} — {self.page}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.social_network = self.page.social_network
        super().save(*args, **kwargs)


class PageConnection(models.Model):
    """How Kurator publishes to a page through the network's API (R-PUB-4, R-PUB-5): where to, into
    which community or chat, and with which token. The tokens are stored encrypted; the last check's
    result is kept so that a failing token is shown before a post is due on it."""

    page = models.OneToOneField(Page, verbose_name=_("page"), on_delete=models.CASCADE, related_name="connection")
    endpoint = models.CharField(
        _("where posts go"), max_length=12, choices=ConnectionEndpoint.choices, default=ConnectionEndpoint.NETWORK
    )
    target = models.CharField(
        _("community or chat"),
        max_length=100,
        help_text=_("VK: the community's numeric ID. Telegram: the channel's @username or its numeric ID (-100…)."),
    )
    token = EncryptedTextField(
        _("token"),
        help_text=_(
            "VK: an administrator's user token with the “wall”, “photos” and “video” rights. Telegram: the bot's token."
        ),
    )
    community_token = EncryptedTextField(
        _("community token"), blank=True, help_text=_("VK only: the community's token for messages and comments.")
    )
    vk_postponed = models.BooleanField(
        _("hand posts to VK as postponed posts"),
        default=False,
        help_text=_(
            "VK only: an approved post goes to VK at once as a postponed post and VK publishes it at its time "
            "(003 § 5.6); Kurator passes later changes and withdrawals on to VK."
        ),
    )
    status = models.CharField(
        _("token status"), max_length=12, choices=TokenStatus.choices, default=TokenStatus.UNCHECKED
    )
    problem = models.TextField(_("problem"), blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("page connection")
        verbose_name_plural = _("page connections")

    def __str__(self) -> str:
        return f"{self.page} → {self.target}"

    @property
    def token_hint(self) -> str:
        """Enough of the token to recognise it, never enough to use it."""
        return f"…{self.token[-4:]}" if len(self.token) > 8 else "…"
