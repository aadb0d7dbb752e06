"""People, their roles in the network (R-ORG-4..7), internships, absences and API tokens."""

from __future__ import annotations

import hashlib
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kurator.accounts.choices import AbsenceKind, Language, Role, Scope


class PersonManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A person who works in Kurator: a librarian of one network, or the installation's operator
    (a superuser, who belongs to no network)."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    network = models.ForeignKey(
        "registry.Network",
        verbose_name=_("library network"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    library = models.ForeignKey(
        "registry.Library",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    employed_since = models.DateField(_("employed since"), null=True, blank=True)
    language = models.CharField(
        _("interface language"), max_length=5, choices=Language.choices, default=Language.RUSSIAN
    )
    # The private chat with the notification bot (kurator/accounts/telegram.py). Not a secret, but personal
    # data: screens say only "linked", and the history keeps none of it.
    telegram_chat_id = models.BigIntegerField(_("Telegram chat"), null=True, blank=True, unique=True)
    telegram_linked_at = models.DateTimeField(_("Telegram linked"), null=True, blank=True)
    telegram_failure = models.CharField(_("Telegram delivery problem"), max_length=300, blank=True)
    telegram_failure_at = models.DateTimeField(_("Telegram delivery problem since"), null=True, blank=True)
    history = HistoricalRecords(
        excluded_fields=[
            "password",
            "last_login",
            "telegram_chat_id",
            "telegram_linked_at",
            "telegram_failure",
            "telegram_failure_at",
        ]
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    objects = PersonManager()  # type: ignore[misc,assignment]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def months_of_service(self, on: date) -> int | None:
        if self.employed_since is None:
            return None
        months = (on.year - self.employed_since.year) * 12 + on.month - self.employed_since.month
        return months - (1 if on.day < self.employed_since.day else 0)


class RoleAssignment(models.Model):
    """A role held by a person in one scope: the whole network, a library, a department or a page."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    network = models.ForeignKey(
        "registry.Network", verbose_name=_("library network"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    library = models.ForeignKey(
        "registry.Library",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    page = models.ForeignKey(
        "registry.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["role", "person__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope=Scope.NETWORK, library__isnull=True, department__isnull=True, page__isnull=True)
                    | Q(scope=Scope.LIBRARY, library__isnull=False, department__isnull=True, page__isnull=True)
                    | Q(scope=Scope.DEPARTMENT, department__isnull=False, page__isnull=True)
                    | Q(scope=Scope.PAGE, page__isnull=False, department__isnull=True)
                ),
                name="role_scope_matches_its_object",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__lte=models.F("ends_on")), name="role_dates_in_order"
            ),
        ]
        indexes = [models.Index(fields=["person", "role"]), models.Index(fields=["page", "role"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_role_display()} — {self.scope_label}"

    @property
    def scope_object(self) -> object:
        return self.page or self.department or self.library or self.network

    @property
    def scope_label(self) -> str:
        return str(self.scope_object)

    def is_active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class Internship(models.Model):
    """A coordinator's internship with the curator (003 § 5.5, R-ORG-7), done in the sandbox."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("intern"), on_delete=models.CASCADE, related_name="internships"
    )
    network = models.ForeignKey(
        "registry.Network", verbose_name=_("library network"), on_delete=models.CASCADE, related_name="internships"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("curator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_on = models.DateField(_("started"))
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("internship")
        verbose_name_plural = _("internships")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(started_on__lte=models.F("completed_on")),
                name="internship_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.started_on:%d.%m.%Y}"


class Absence(models.Model):
    """A person's absence (vacation, sick leave) with the substitute who does their work meanwhile
    (R-ORG-5, 003 § 5.15)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("absent person"), on_delete=models.CASCADE, related_name="absences"
    )
    network = models.ForeignKey(
        "registry.Network", verbose_name=_("library network"), on_delete=models.CASCADE, related_name="absences"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AbsenceKind.choices, default=AbsenceKind.VACATION)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("substitute"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="substitutions",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="absence_dates_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"


class ApiToken(models.Model):
    """A personal token for the JSON API. Only a hash is stored; the token is shown once."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class TelegramLinkCode(models.Model):
    """A one-time code that links a person's Telegram chat with the notification bot: Kurator shows it in
    a t.me link, the person presses Start, and the bot receives "/start <code>". It works once, for an
    hour; only a digest is stored, as for API tokens."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="telegram_codes"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram link code")
        verbose_name_plural = _("Telegram link codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person} {self.created_at:%d.%m.%Y %H:%M}"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
