from django.db import models
from django.utils.dates import MONTHS_ALT
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    """The directions of work of 003 § 4.1 (R-PLAN-6); anything else needs the administration (§ 4.2)."""

    SCHEDULE = "schedule", _("Working hours and services")
    READER_SERVICE = "reader_service", _("Reader service")
    COLLECTION = "collection", _("Promotion of the collection")
    READER_EVENTS = "reader_events", _("Events for readers")
    PROFESSIONAL_EVENTS = "professional_events", _("Professional events")
    PARTNER = "partner", _("Partner posts")
    ONLINE_CULTURE = "online_culture", _("Online cultural activities")
    OTHER = "other", _("Other (needs the administration's approval)")


class Topic(models.TextChoices):
    """The minimum topics of 003 Appendix 2 (R-PLAN-4)."""

    HOURS_CHANGES = "hours_changes", _("Changes in working hours")
    VIRTUAL_ENROLMENT = "virtual_enrolment", _("Virtual enrolment in the library")
    PERSONAL_ACCOUNT = "personal_account", _("Personal account on the portal (renewal and booking)")
    DOCUMENT_DELIVERY = "document_delivery", _("Electronic document delivery")
    E_LIBRARY = "e_library", _("Editions from the electronic library")
    VIRTUAL_REFERENCE = "virtual_reference", _("Virtual reference service")
    READER_EVENTS = "reader_events", _("Announcements of events for readers")
    PROFESSIONAL_EVENTS = "professional_events", _("Announcements of professional events")
    RESOURCE_GUIDES = "resource_guides", _("Guides to subscription and own online resources")
    BOOK_SELECTIONS = "book_selections", _("Thematic selections from the printed collection")
    ONLINE_RESOURCES = "online_resources", _("Promotion of specialised online resources")


class RubricFormat(models.TextChoices):
    TEXT = "text", _("Text")
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    STORY = "story", _("Story")
    PODCAST = "podcast", _("Podcast")


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")


class PostState(models.TextChoices):
    """Where a post is on its way to the page; review records each step (R-REV-3)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned with comments")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MentionKind(models.TextChoices):
    PERSON = "person", _("Person")
    FACULTY = "faculty", _("Faculty or department")
    PARTNER = "partner", _("Partner account")


class MediaKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")


class WeekdayOrdinal(models.IntegerChoices):
    """Which of a month's weekdays a memorable date that moves falls on (R-PLAN-5): «третье воскресенье
    июня», «последнее воскресенье ноября»."""

    FIRST = 1, _("first")
    SECOND = 2, _("second")
    THIRD = 3, _("third")
    FOURTH = 4, _("fourth")
    LAST = -1, _("last")


# One phrase per ordinal and weekday, because Russian makes the ordinal agree with the weekday's gender
# («третий вторник», «третья среда», «третье воскресенье»): no single "%(ordinal)s %(weekday)s" can.
WEEKDAY_RULE_NAMES = {
    (1, 0): _("first Monday"),
    (1, 1): _("first Tuesday"),
    (1, 2): _("first Wednesday"),
    (1, 3): _("first Thursday"),
    (1, 4): _("first Friday"),
    (1, 5): _("first Saturday"),
    (1, 6): _("first Sunday"),
    (2, 0): _("second Monday"),
    (2, 1): _("second Tuesday"),
    (2, 2): _("second Wednesday"),
    (2, 3): _("second Thursday"),
    (2, 4): _("second Friday"),
    (2, 5): _("second Saturday"),
    (2, 6): _("second Sunday"),
    (3, 0): _("third Monday"),
    (3, 1): _("third Tuesday"),
    (3, 2): _("third Wednesday"),
    (3, 3): _("third Thursday"),
    (3, 4): _("third Friday"),
    (3, 5): _("third Saturday"),
    (3, 6): _("third Sunday"),
    (4, 0): _("fourth Monday"),
    (4, 1): _("fourth Tuesday"),
    (4, 2): _("fourth Wednesday"),
    (4, 3): _("fourth Thursday"),
    (4, 4): _("fourth Friday"),
    (4, 5): _("fourth Saturday"),
    (4, 6): _("fourth Sunday"),
    (-1, 0): _("last Monday"),
    (-1, 1): _("last Tuesday"),
    (-1, 2): _("last Wednesday"),
    (-1, 3): _("last Thursday"),
    (-1, 4): _("last Friday"),
    (-1, 5): _("last Saturday"),
    (-1, 6): _("last Sunday"),
}


def weekday_rule_text(month: int, weekday: int, ordinal: int) -> str:
    """«последнее воскресенье ноября» / "last Sunday of November"."""
    # MONTHS_ALT is the month as a date names it: «ноября», not «ноябрь».
    return _("%(day)s of %(month)s") % {"day": WEEKDAY_RULE_NAMES[(ordinal, weekday)], "month": MONTHS_ALT[month]}
