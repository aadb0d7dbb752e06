"""Writes to the organisation and the page registry: one function per operation, each checks
permission, validates, changes state and records an audit event (R-REV-5 history via simple-history)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kurator.core.choices import Country
from kurator.core.errors import ValidationError, require
from kurator.core.services import audit_record
from kurator.registry.choices import API_NETWORKS, ConnectionEndpoint, PublishingMode, SocialNetwork, TokenStatus
from kurator.registry.models import Department, Library, Network, Page, PageConnection, PageDepartment, WorkingHours

PAGE_FIELDS = (
    "name",
    "social_network",
    "url",
    "library",
    "approval_weekday",
    "verified",
    "publishing_mode",
    "is_main",
    "notes",
)


def _check_country(country: str) -> None:
    if country not in Country.values:
        raise ValidationError(
            {
                "country": _(
                    "Unknown country “%(value)s”: Kurator knows the production calendars of Russia (RU) and Belarus (BY)."
                )
                % {"value": country}
            }
        )


def _check_departments(
    network: Network, library: Library | None, departments: Iterable[Department]
) -> list[Department]:
    chosen = list(departments)
    for department in chosen:
        if department.library.network_id != network.pk:
            raise ValidationError({"departments": _("A department of another network cannot run this page.")})
    return chosen


def _check_one_page_per_department(page_id: int | None, social_network: str, departments: list[Department]) -> None:
    """R-ORG-3 (003 § 5.2): a department runs at most one page on each social network."""
    taken = (
        PageDepartment.objects.filter(department__in=departments, social_network=social_network)
        .exclude(page_id=page_id or 0)
        .select_related("department", "page")
    )
    clash = taken.first()
    if clash is not None:
        raise ValidationError(
            {
                "departments": _(
                    "The department “%(department)s” already has a page on %(network)s: “%(page)s”. "
                    "A department may have at most one page per social network; make that page joint instead."
                )
                % {
                    "department": clash.department.name,
                    "network": SocialNetwork(social_network).label,
                    "page": clash.page.name,
                }
            }
        )


def _check_page(page: Page) -> None:
    if page.library is not None and page.library.network_id != page.network_id:
        raise ValidationError({"library": _("The library belongs to another network.")})
    if page.publishing_mode == PublishingMode.AUTOMATIC and page.social_network not in API_NETWORKS:
        raise ValidationError(
            {
                "publishing_mode": _(
                    "%(network)s has no publishing API that Kurator supports: choose assisted publishing."
                )
                % {"network": SocialNetwork(page.social_network).label}
            }
        )
    if Page.objects.filter(network_id=page.network_id, url=page.url).exclude(pk=page.pk).exists():
        raise ValidationError({"url": _("This link is already in the registry.")})
    page.full_clean(exclude=["network", "library", "departments"], validate_unique=False)


def _set_departments(page: Page, departments: list[Department]) -> None:
    PageDepartment.objects.filter(page=page).exclude(department__in=departments).delete()
    existing = set(PageDepartment.objects.filter(page=page).values_list("department_id", flat=True))
    PageDepartment.objects.filter(page=page).update(social_network=page.social_network)
    for department in departments:
        if department.pk not in existing:
            PageDepartment.objects.create(page=page, department=department, social_network=page.social_network)


@transaction.atomic
def page_create(*, by: Any, network: Network, departments: Iterable[Department] = (), **fields: Any) -> Page:
    require(by, "registry.add_page", network)
    page = Page(network=network, **{k: v for k, v in fields.items() if k in PAGE_FIELDS})
    chosen = _check_departments(network, page.library, departments)
    _check_page(page)
    _check_one_page_per_department(None, page.social_network, chosen)
    try:
        with transaction.atomic():
            page.save()
            _set_departments(page, chosen)
    except IntegrityError as exc:  # a concurrent writer took the slot between check and insert
        raise ValidationError(
            _("The registry changed meanwhile: a department already has a page on this network.")
        ) from exc
    audit_record(
        actor=by,
        verb="page.created",
        summary=_("Page “%(page)s” added to the registry") % {"page": page.name},
        target=page,
        network_id=network.pk,
    )
    return page


@transaction.atomic
def page_update(*, by: Any, page: Page, departments: Iterable[Department] | None = None, **fields: Any) -> Page:
    require(by, "registry.change_page", page)
    page = Page.objects.select_for_update().get(pk=page.pk)
    for key, value in fields.items():
        if key in PAGE_FIELDS:
            setattr(page, key, value)
    chosen = (
        _check_departments(page.network, page.library, departments)
        if departments is not None
        else list(page.departments.all())
    )
    _check_page(page)
    _check_one_page_per_department(page.pk, page.social_network, chosen)
    try:
        with transaction.atomic():
            page.save()
            _set_departments(page, chosen)
    except IntegrityError as exc:
        raise ValidationError(
            _("The registry changed meanwhile: a department already has a page on this network.")
        ) from exc
    audit_record(
        actor=by,
        verb="page.changed",
        summary=_("Page “%(page)s” changed") % {"page": page.name},
        target=page,
        network_id=page.network_id,
    )
    return page


LIBRARY_FIELDS = (
    "name",
    "short_name",
    "address",
    "latitude",
    "longitude",
    "phone",
    "email",
    "is_central",
    "time_zone",
    "country",
    "head",
)
DEPARTMENT_FIELDS = ("name", "address", "latitude", "longitude", "phone", "email", "head")


def _validated(unit: Library | Department) -> None:
    unit.full_clean(exclude=["network", "library"], validate_unique=True)


@transaction.atomic
def library_create(*, by: Any, network: Network, **fields: Any) -> Library:
    require(by, "registry.add_library", network)
    _check_country(fields.get("country", Country.RUSSIA))
    library = Library(network=network, **{k: v for k, v in fields.items() if k in LIBRARY_FIELDS})
    _check_head(network, library.head)
    _validated(library)
    library.save()
    audit_record(
        actor=by,
        verb="library.created",
        summary=_("Library “%(name)s” added") % {"name": library.name},
        target=library,
        network_id=network.pk,
    )
    return library


@transaction.atomic
def library_update(*, by: Any, library: Library, **fields: Any) -> Library:
    require(by, "registry.change_library", library)
    if "country" in fields:
        _check_country(fields["country"])
    for key, value in fields.items():
        if key in LIBRARY_FIELDS:
            setattr(library, key, value)
    _check_head(library.network, library.head)
    _validated(library)
    library.save()
    audit_record(
        actor=by,
        verb="library.changed",
        summary=_("Library “%(name)s” changed") % {"name": library.name},
        target=library,
        network_id=library.network_id,
    )
    return library


@transaction.atomic
def department_create(*, by: Any, library: Library, **fields: Any) -> Department:
    require(by, "registry.change_library", library)
    department = Department(library=library, **{k: v for k, v in fields.items() if k in DEPARTMENT_FIELDS})
    _check_head(library.network, department.head)
    _validated(department)
    department.save()
    audit_record(
        actor=by,
        verb="department.created",
        summary=_("Department “%(name)s” added") % {"name": str(department)},
        target=department,
        network_id=library.network_id,
    )
    return department


@transaction.atomic
def department_update(*, by: Any, department: Department, **fields: Any) -> Department:
    require(by, "registry.change_library", department.library)
    for key, value in fields.items():
        if key in DEPARTMENT_FIELDS:
            setattr(department, key, value)
    _check_head(department.library.network, department.head)
    _validated(department)
    department.save()
    audit_record(
        actor=by,
        verb="department.changed",
        summary=_("Department “%(name)s” changed") % {"name": str(department)},
        target=department,
        network_id=department.library.network_id,
    )
    return department


def _check_head(network: Network, head: Any) -> None:
    if head is not None and head.network_id != network.pk:
        raise ValidationError({"head": _("The head must work in this library network.")})


@transaction.atomic
def working_hours_set(*, by: Any, unit: Library | Department, hours: dict[int, tuple[time, time] | None]) -> None:
    """Replace a unit's weekly hours; a weekday mapped to None is closed."""
    library = unit if isinstance(unit, Library) else unit.library
    require(by, "registry.change_library", library)
    for weekday, span in hours.items():
        if span is not None and span[0] >= span[1]:
            raise ValidationError(
                _("On %(day)s the opening time must be before the closing time.") % {"day": weekday_name(weekday)}
            )
    key = "library" if isinstance(unit, Library) else "department"
    WorkingHours.objects.filter(**{key: unit}).delete()
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(**{key: unit}, weekday=d, opens=span[0], closes=span[1])
            for d, span in sorted(hours.items())
            if span
        ]
    )
    audit_record(
        actor=by,
        verb="hours.changed",
        summary=_("Working hours of “%(unit)s” changed") % {"unit": str(unit)},
        target=unit,
        network_id=library.network_id,
    )


def weekday_name(weekday: int) -> str:
    from kurator.core.choices import Weekday

    return str(Weekday(weekday).label)


# --- Connections to the networks (R-PUB-4, R-PUB-5) ------------------------------------------------

CONNECTABLE_NETWORKS = (SocialNetwork.VK, SocialNetwork.TELEGRAM)
_VK_COMMUNITY = re.compile(r"^(?:-|club|public)?(\d{1,12})$")
_TG_USERNAME = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{3,31})$")
_TG_CHAT_ID = re.compile(r"^-100\d{5,15}$")


def _connection_target(social_network: str, raw: str) -> str:
    """The community or chat as the adapters expect it; people paste what their browser shows, so a
    link, "club123" or a bare username are accepted too."""
    value = raw.strip()
    value = re.sub(r"^(?:https?://)?(?:www\.|m\.)?(?:vk\.com|t\.me|telegram\.me)/", "", value).strip("/")
    if social_network == SocialNetwork.VK:
        match = _VK_COMMUNITY.match(value)
        if match is None or int(match.group(1)) == 0:
            raise ValidationError(
                {
                    "target": _(
                        "Give the VK community's numeric ID, for example 123456789 (it is shown in the "
                        "community's management under “Address”): the short address is not enough."
                    )
                }
            )
        return match.group(1)
    if _TG_CHAT_ID.match(value):
        return value
    match = _TG_USERNAME.match(value)
    if match is None:
        raise ValidationError(
            {
                "target": _(
                    "Give the channel's @username, or for a private channel its numeric ID, which begins with -100."
                )
            }
        )
    return "@" + match.group(1)


def _token_value(field: str, given: str, stored: str, *, required: bool) -> str:
    token = given.strip()
    if not token:
        if required and not stored:
            raise ValidationError({field: _("Give the token.")})
        return stored
    if any(character.isspace() for character in token):
        raise ValidationError({field: _("A token has no spaces or line breaks: copy it again, whole.")})
    return token


@transaction.atomic
def connection_save(
    *,
    by: Any,
    page: Page,
    endpoint: str,
    target: str,
    token: str,
    community_token: str = "",
    vk_postponed: bool = False,
) -> PageConnection:
    """Connect a page to its network or to the sandbox, or change its connection. An empty token keeps
    the stored one, so that changing the target never means pasting the token again. The token never
    reaches the audit trail: only the fact that it was replaced does."""
    require(by, "registry.connect_page", page)
    if page.social_network not in CONNECTABLE_NETWORKS:
        raise ValidationError(
            _("Kurator publishes through the API to VK and Telegram only; for %(network)s choose assisted publishing.")
            % {"network": SocialNetwork(page.social_network).label}
        )
    if endpoint not in ConnectionEndpoint.values:
        raise ValidationError({"endpoint": _("Choose where the posts go.")})
    connection = PageConnection.objects.select_for_update().filter(page=page).first()
    is_new = connection is None
    if connection is None:
        connection = PageConnection(page=page)
    target = _connection_target(page.social_network, target)
    token = _token_value("token", token, connection.token, required=True)
    is_vk = page.social_network == SocialNetwork.VK
    community_token = _token_value("community_token", community_token, connection.community_token, required=False)
    if not is_vk:
        community_token = ""
    token_replaced = not is_new and token != connection.token
    community_token_replaced = not is_new and community_token != connection.community_token
    changed = is_new or (endpoint, target, token) != (connection.endpoint, connection.target, connection.token)
    vk_postponed = is_vk and vk_postponed
    if not changed and not community_token_replaced and vk_postponed == connection.vk_postponed:
        return connection
    connection.vk_postponed = vk_postponed
    connection.endpoint, connection.target, connection.token = endpoint, target, token
    connection.community_token = community_token
    connection.updated_by = by
    if changed:
        # What the last check said was about another token or another place.
        connection.status, connection.problem = TokenStatus.UNCHECKED, ""
        connection.checked_at = connection.failing_since = None
    connection.save()
    values = {"page": page.name, "target": target, "where": ConnectionEndpoint(endpoint).label}
    if is_new:
        summary = _("Page “%(page)s” connected to %(target)s (%(where)s)") % values
    elif token_replaced or community_token_replaced:
        summary = _("Connection of page “%(page)s” changed, a token replaced: %(target)s (%(where)s)") % values
    else:
        summary = _("Connection of page “%(page)s” changed: %(target)s (%(where)s)") % values
    audit_record(
        actor=by,
        verb="page.connected" if is_new else "page.connection_changed",
        summary=summary,
        target=page,
        network_id=page.network_id,
        data={
            "endpoint": endpoint,
            "target": target,
            "vk_postponed": vk_postponed,
            "token_replaced": token_replaced,
            "community_token_replaced": community_token_replaced,
        },
    )
    return connection


@transaction.atomic
def connection_remove(*, by: Any, page: Page) -> None:
    """Disconnect a page: its posts then wait for a person instead of going out (the stored tokens are
    deleted with the connection)."""
    require(by, "registry.connect_page", page)
    deleted, _rows = PageConnection.objects.filter(page=page).delete()
    if not deleted:
        return
    audit_record(
        actor=by,
        verb="page.disconnected",
        summary=_("Page “%(page)s” disconnected from its network") % {"page": page.name},
        target=page,
        network_id=page.network_id,
    )
