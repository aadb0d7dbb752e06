from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationState(models.TextChoices):
    """R-PUB-2: every approved variant ends published, failed or unconfirmed; the rest are on the way."""

    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    HANDED_OVER = "handed_over", _("Waiting in VK as a postponed post")
    RETRY_WAIT = "retry_wait", _("Waiting to retry")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed")
    HELD = "held", _("Waiting for a person's word")
    HANDOFF = "handoff", _("To publish by hand")
    CANCELLED = "cancelled", _("Cancelled")
    REMOVED = "removed", _("Removed from the page")


# A worker may pick these up; the others wait for a person or are finished.
ACTIVE_STATES = (PublicationState.SCHEDULED, PublicationState.RETRY_WAIT)
FINAL_STATES = (
    PublicationState.PUBLISHED,
    PublicationState.FAILED,
    PublicationState.CANCELLED,
    PublicationState.REMOVED,
)


class PublicationMode(models.TextChoices):
    AUTOMATIC = "automatic", _("Through the network's API")
    ASSISTED = "assisted", _("By hand, with a reminder")
    POSTPONED = "vk_postponed", _("As VK's own postponed post")


class HoldReason(models.TextChoices):
    LATE = "late", _("Found more than an hour late")
    NOT_CONNECTED = "not_connected", _("The page is not connected to its network")
    NOT_FOUND = "not_found", _("Not on the wall after VK did not answer")
