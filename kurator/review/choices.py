from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionState(models.TextChoices):
    PENDING = "pending", _("Waiting for the curator")
    RETURNED = "returned", _("Returned with comments")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class StepKind(models.TextChoices):
    """Each action of review is a recorded step with its author and time (R-REV-3)."""

    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned with comments")
    EDITED = "edited", _("edited jointly")
    RESUBMITTED = "resubmitted", _("submitted again")
    WITHDRAWN = "withdrawn", _("withdrawn")
    DELETED = "deleted", _("deleted after publication")


class DeletionReason(models.TextChoices):
    """The only reasons a published post may be deleted (003 § 5.10, R-REV-4)."""

    LAW = "law", _("Breach of the law")
    GOALS = "goals", _("Does not fit the page's goals or the library's brand style")
    ERRORS = "errors", _("Gross spelling, punctuation or factual errors")
    ETHICS = "ethics", _("Breach of professional ethics")
