from django.db import models
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
