"""Review (R-REV-1..3): submit to the curator within the deadline, approve, or return with comments.
Each action is a recorded step with its author and time, and the people concerned are notified."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kurator.accounts.access import access_of
from kurator.accounts.responsibility import page_team
from kurator.core.errors import PermissionDenied, ValidationError
from kurator.core.services import audit_record, notify
from kurator.planning.choices import PostState
from kurator.planning.models import Post
from kurator.planning.services import can_plan_for, direction_needs_approval, variant_problems
from kurator.review.choices import StepKind, SubmissionState
from kurator.review.deadlines import received_at, review_deadline, same_day_decision_by
from kurator.review.models import ReviewComment, ReviewStep, Submission


def _when(moment: datetime, time_zone: str | None = None) -> str:
    """A moment as the library's people read it: in the library's own time zone."""
    local = moment.astimezone(ZoneInfo(time_zone)) if time_zone else timezone.localtime(moment)
    return date_format(local, "SHORT_DATETIME_FORMAT")


def _post_url(post: Post) -> str:
    try:
        return reverse("planning:post", args=[post.pk])
    except NoReverseMatch:  # the planning screens arrive later; the notification still says what happened
        return ""


def _check_ready(post: Post) -> None:
    if not post.variants.exists():
        raise ValidationError(_("The post has no page to go to."))
    problems = []
    for variant in post.variants.select_related("page", "post"):
        problems += [f"{variant.page.name}: {p.message}" for p in variant_problems(variant)]
    if problems:
        raise ValidationError(problems)
    if direction_needs_approval(post):
        raise ValidationError(
            _("This post is outside the directions of 003 § 4.1: the administration approves it first.")
        )


@transaction.atomic
def post_submit(*, by: Any, post: Post, now: datetime | None = None) -> Submission:
    """R-REV-1: the curator must receive a post 5 working days of the page's library before it is
    published, during working hours; an urgent post may come later but is decided the same day."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    pages = [v.page for v in post.variants.select_related("page", "page__library", "page__network")]
    if not pages or not any(can_plan_for(by, page) for page in pages):
        raise PermissionDenied
    if post.state not in (PostState.DRAFT, PostState.RETURNED):
        raise ValidationError(_("This post is already with the curator or approved."))
    _check_ready(post)
    now = now or timezone.now()
    deadline = review_deadline(pages, post.planned_at)
    received = received_at(now, deadline.library)
    if received > deadline.due_by and not post.urgent:
        raise ValidationError(
            _(
                "Too late for review: for publication on %(publish)s the curator had to receive the post by %(due)s "
                "(5 working days of %(library)s, 003 § 5.6). Mark it urgent if it cannot wait."
            )
            % {
                "publish": _when(post.planned_at, deadline.library.time_zone),
                "due": _when(deadline.due_by, deadline.library.time_zone),
                "library": deadline.library,
            }
        )
    resubmission = post.state == PostState.RETURNED
    submission = Submission.objects.create(
        post=post,
        submitted_by=by,
        submitted_at=now,
        due_by=deadline.due_by,
        urgent=post.urgent,
        decide_by=same_day_decision_by(received, deadline.library) if post.urgent else None,
    )
    ReviewStep.objects.create(
        submission=submission, kind=StepKind.RESUBMITTED if resubmission else StepKind.SUBMITTED, by=by, at=now
    )
    post.state = PostState.SUBMITTED
    post.save(update_fields=["state", "updated_at"])
    summary = _("“%(title)s” is submitted for review (publication %(publish)s).") % {
        "title": post.title,
        "publish": _when(post.planned_at),
    }
    audit_record(actor=by, verb="post.submitted", summary=summary, target=post, network_id=post.network_id)
    curators = {team.curator for team in (page_team(page) for page in pages) if team.curator is not None}
    notify(recipients=curators, message=summary, url=_post_url(post), email_subject=_("A post for review"))
    return submission


def _decide(by: Any, submission: Submission) -> None:
    if not access_of(by).curates(submission.post.network_id):
        raise PermissionDenied
    if submission.state != SubmissionState.PENDING:
        raise ValidationError(_("This submission has already been decided."))


@transaction.atomic
def submission_approve(*, by: Any, submission: Submission, now: datetime | None = None) -> Submission:
    _decide(by, submission)
    _check_ready(submission.post)
    now = now or timezone.now()
    submission.state, submission.decided_by, submission.decided_at = SubmissionState.APPROVED, by, now
    submission.save()
    ReviewStep.objects.create(submission=submission, kind=StepKind.APPROVED, by=by, at=now)
    post = submission.post
    post.state = PostState.APPROVED
    post.save(update_fields=["state", "updated_at"])
    summary = _("“%(title)s” is approved.") % {"title": post.title}
    audit_record(actor=by, verb="post.approved", summary=summary, target=post, network_id=post.network_id)
    notify(
        recipients=[submission.submitted_by, post.author], message=summary, url=_post_url(post), email_subject=summary
    )
    return submission


@transaction.atomic
def submission_return(
    *, by: Any, submission: Submission, comments: list[tuple[Any, str]], now: datetime | None = None
) -> Submission:
    """Return with comments (R-REV-3): each comment on the whole post (variant None) or on one variant."""
    _decide(by, submission)
    if not any(text.strip() for _variant, text in comments):
        raise ValidationError(_("Say what to change: a returned post needs at least one comment."))
    now = now or timezone.now()
    for variant, text in comments:
        if text.strip():
            ReviewComment.objects.create(submission=submission, variant=variant, author=by, text=text.strip())
    submission.state, submission.decided_by, submission.decided_at = SubmissionState.RETURNED, by, now
    submission.save()
    ReviewStep.objects.create(submission=submission, kind=StepKind.RETURNED, by=by, at=now)
    post = submission.post
    post.state = PostState.RETURNED
    post.save(update_fields=["state", "updated_at"])
    summary = _("“%(title)s” is returned with comments.") % {"title": post.title}
    audit_record(actor=by, verb="post.returned", summary=summary, target=post, network_id=post.network_id)
    notify(
        recipients=[submission.submitted_by, post.author], message=summary, url=_post_url(post), email_subject=summary
    )
    return submission
