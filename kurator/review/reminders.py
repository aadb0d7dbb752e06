"""Reminders and escalation (issue 5 items 1, 5 and 6): a deadline approaching, a designer request due,
a rubric due, an overdue review. Run by the worker every hour; each reminder is sent once a day, so the
hourly run only catches what became due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kurator.accounts.choices import Role
from kurator.accounts.responsibility import page_team, people_holding
from kurator.core.models import Notification
from kurator.core.services import notify
from kurator.planning.choices import PostState
from kurator.planning.models import DesignerRequest, Post, Rubric
from kurator.planning.selectors import next_due_slot
from kurator.review.choices import SubmissionState
from kurator.review.deadlines import review_deadline
from kurator.review.models import Submission

SOON = timedelta(days=1)  # "deadline approaching": within a day of the moment the curator must have the post
RUBRIC_NOTICE_DAYS = 2


ONCE_EVERY = timedelta(hours=20)  # "once a day", whatever hour the worker's pass happens to run


def _not_told_today(people: Iterable[Any], message: str) -> list[Any]:
    since = timezone.now() - ONCE_EVERY
    told = set(
        Notification.objects.filter(message=message, created_at__gte=since, recipient__in=list(people)).values_list(
            "recipient_id", flat=True
        )
    )
    return [p for p in people if p is not None and p.pk not in told]


def _send_once_a_day(people: Iterable[Any], message: str, url: str, subject: str) -> int:
    recipients = _not_told_today(list(people), message)
    if recipients:
        notify(recipients=recipients, message=message, url=url, email_subject=subject)
    return len(recipients)


def _url(name: str, pk: int | None = None) -> str:
    return reverse(name, args=[pk] if pk is not None else [])


def remind_review_deadlines(now: datetime) -> int:
    """Drafts and returned posts whose review deadline is within a day: their coordinators are told."""
    sent = 0
    posts = Post.objects.filter(state__in=(PostState.DRAFT, PostState.RETURNED), planned_at__gt=now).prefetch_related(
        "variants__page__library", "variants__page__network"
    )
    for post in posts:
        pages = [v.page for v in post.variants.all()]
        if not pages:
            continue
        deadline = review_deadline(pages, post.planned_at)
        if not now <= deadline.due_by <= now + SOON:
            continue
        message = _(
            "The deadline for review of “%(title)s” is approaching: the curator must receive it by %(due)s."
        ) % {"title": post.title, "due": date_format(timezone.localtime(deadline.due_by), "SHORT_DATETIME_FORMAT")}
        coordinators = {team.coordinator for team in (page_team(page, now) for page in pages)} | {post.author}
        sent += _send_once_a_day(
            coordinators, message, _url("planning:post", post.pk), _("Review deadline approaching")
        )
    return sent


def remind_designer_requests(today: date) -> int:
    """Designer requests due today or tomorrow and not done: the designer (or whoever asked) is told."""
    sent = 0
    due = DesignerRequest.objects.filter(done_at__isnull=True, due_on__lte=today + timedelta(days=1)).select_related(
        "post", "designer", "requested_by"
    )
    for request in due:
        message = _("The designer request for “%(title)s” is due on %(due)s.") % {
            "title": request.post.title,
            "due": date_format(request.due_on, "SHORT_DATE_FORMAT"),
        }
        people = [request.designer or request.requested_by, request.requested_by]
        sent += _send_once_a_day(people, message, _url("planning:post", request.post_id), _("Designer request due"))
    return sent


def remind_rubric_owners(today: date) -> int:
    """A rubric due within two days with no post planned for it: its owner is reminded (R-PLAN-1)."""
    sent = 0
    for rubric in Rubric.objects.filter(Q(paused=False) | Q(paused_until__lt=today)).select_related("owner"):
        slot = next_due_slot(rubric, today)
        if slot is None or not today <= slot <= today + timedelta(days=RUBRIC_NOTICE_DAYS):
            continue
        message = _("Your rubric “%(name)s” is due on %(day)s: plan its next post.") % {
            "name": rubric.name,
            "day": date_format(slot, "SHORT_DATE_FORMAT"),
        }
        sent += _send_once_a_day([rubric.owner], message, _url("planning:rubrics"), _("Rubric due"))
    return sent


def escalate_overdue_reviews(now: datetime) -> int:
    """An urgent post not decided within its working day, or any post still waiting within a day of its
    publication: the network's administration is told (issue 5 item 5, "overdue reviews escalate")."""
    sent = 0
    overdue = (
        Submission.objects.filter(state=SubmissionState.PENDING)
        .filter(Q(urgent=True, decide_by__lt=now) | Q(post__planned_at__lte=now + SOON))
        .select_related("post", "post__network")
    )
    for submission in overdue:
        post = submission.post
        message = _("“%(title)s” has waited for the curator's decision too long (publication %(publish)s).") % {
            "title": post.title,
            "publish": date_format(timezone.localtime(post.planned_at), "SHORT_DATETIME_FORMAT"),
        }
        people = people_holding(post.network, (Role.ADMINISTRATION, Role.CURATOR), now.date())
        sent += _send_once_a_day(people, message, _url("planning:review_queue"), _("An overdue review"))
    return sent


def send_reminders(now: datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return (
        remind_review_deadlines(now)
        + remind_designer_requests(today)
        + remind_rubric_owners(today)
        + escalate_overdue_reviews(now)
    )
