from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of 003 § 2 and of seeds 000 and 004 (SPEC.md, "Who uses it")."""

    ADMINISTRATION = "administration", _("Network administration")
    CURATOR = "curator", _("Social media curator")
    COORDINATOR = "coordinator", _("Page coordinator")
    PAGE_ADMIN = "page_admin", _("Page administrator")
    PAGE_OWNER = "page_owner", _("Page owner")
    DESIGNER = "designer", _("Designer")
    WORKGROUP_MEMBER = "workgroup_member", _("Working-group member")
    OUTREACH = "outreach", _("Neighbourhood communities officer")


class Scope(models.TextChoices):
    NETWORK = "network", _("Network")
    LIBRARY = "library", _("Library")
    DEPARTMENT = "department", _("Department")
    PAGE = "page", _("Page")


# Where each role may be assigned; the first scope is the usual one.
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    Role.ADMINISTRATION: (Scope.NETWORK,),
    Role.CURATOR: (Scope.NETWORK,),
    Role.COORDINATOR: (Scope.PAGE,),
    Role.PAGE_ADMIN: (Scope.PAGE,),
    Role.PAGE_OWNER: (Scope.PAGE,),
    Role.DESIGNER: (Scope.NETWORK, Scope.LIBRARY),
    Role.WORKGROUP_MEMBER: (Scope.NETWORK, Scope.LIBRARY),
    Role.OUTREACH: (Scope.LIBRARY, Scope.DEPARTMENT),
}

# Roles whose holders must confirm every login with a second factor (R-ORG-6, 003 § 2).
TWO_FACTOR_ROLES = frozenset({Role.CURATOR, Role.COORDINATOR, Role.PAGE_ADMIN, Role.PAGE_OWNER})


class AbsenceKind(models.TextChoices):
    VACATION = "vacation", _("Vacation")
    SICK_LEAVE = "sick_leave", _("Sick leave")
    BUSINESS_TRIP = "business_trip", _("Business trip")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")
