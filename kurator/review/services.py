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
from kurator.review.deadlines import Deadline, received_at, review_deadline, same_day_decision_by
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


def too_late_message(publish_at: datetime, deadline: Deadline) -> str:
    """Why a post is too late for review, saying by when the curator had to have it and by which rule."""
    values = {
        "publish": _when(publish_at, deadline.library.time_zone),
        "due": _when(deadline.due_by, deadline.library.time_zone),
        "library": deadline.library,
    }
    if deadline.approval_page is not None:
        return _(
            "Too late for review: for publication on %(publish)s the curator had to receive the post by %(due)s, "
            "the approval day of “%(page)s” that comes at least 5 working days of %(library)s before publication "
            "(003 § 5.6, Appendix 1). Mark it urgent if it cannot wait."
        ) % {**values, "page": deadline.approval_page.name}
    return (
        _(
            "Too late for review: for publication on %(publish)s the curator had to receive the post by %(due)s "
            "(5 working days of %(library)s, 003 § 5.6). Mark it urgent if it cannot wait."
        )
        % values
    )


@transaction.atomic
def post_submit(*, by: Any, post: Post, now: datetime | None = None) -> Submission:
    """R-REV-1: the curator must receive a post 5 working days of the page's library before it is
    published (by the page's approval day when it has one, see deadlines.page_deadline), during working
    hours; an urgent post may come later but is decided the same day."""
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
        raise ValidationError(too_late_message(post.planned_at, deadline))
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


def submission_follow_move(*, post: Post, pages: list[Any], now: datetime | None = None) -> Submission | None:
    """A post with the curator or approved gets a new publication time (drag and drop in the calendar,
    the edit form, the API): the same rule as a submission decides whether it may. The submission must
    have reached the curator by the deadline of the new time; if it did not, the move is refused with
    the message a late submission gets, and the caller's transaction changes nothing. If it did, the
    submission keeps going (or stays approved) with the new deadline. An urgent post may move anywhere,
    and one made urgent by this very change must now be decided the same working day (R-REV-2).

    Called by kurator.planning.services.post_update inside its transaction, before anything is saved."""
    submission = latest_submission(post)
    if submission is None or submission.state not in (SubmissionState.PENDING, SubmissionState.APPROVED):
        return None
    deadline = review_deadline(pages, post.planned_at)
    late = received_at(submission.submitted_at, deadline.library) > deadline.due_by
    if late and not (post.urgent or submission.urgent):
        raise ValidationError(too_late_message(post.planned_at, deadline))
    submission.due_by = deadline.due_by
    if late and not submission.urgent and submission.state == SubmissionState.PENDING:
        submission.urgent = True
        submission.decide_by = same_day_decision_by(
            received_at(now or timezone.now(), deadline.library), deadline.library
        )
    submission.save(update_fields=["due_by", "urgent", "decide_by"])
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


# --- Discussion, joint editing and deletion after publication (R-REV-3, R-REV-4) -------------------


def takes_part(by: Any, post: Post) -> bool:
    """The curator and whoever plans for one of the post's pages take part in its review."""
    return access_of(by).curates(post.network_id) or any(
        can_plan_for(by, v.page) for v in post.variants.select_related("page")
    )


def latest_submission(post: Post) -> Submission | None:
    return post.submissions.order_by("-submitted_at", "-id").first()


@transaction.atomic
def comment_add(
    *,
    by: Any,
    submission: Submission,
    text: str,
    variant: Any = None,
    parent: ReviewComment | None = None,
) -> ReviewComment:
    """A comment or a reply in a thread (R-REV-3): the curator and the coordinator answer each other,
    on the whole post or on one variant; a reply stays on its parent's variant."""
    post = submission.post
    if not takes_part(by, post):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write the comment.")})
    if parent is not None:
        if parent.submission.post_id != post.pk:
            raise ValidationError(_("The comment answers another post."))
        variant = parent.variant
    if variant is not None and variant.post_id != post.pk:
        raise ValidationError(_("The variant belongs to another post."))
    comment = ReviewComment.objects.create(
        submission=submission, variant=variant, parent=parent, author=by, text=text.strip()
    )
    others = {submission.submitted_by, post.author, *(c.author for c in submission.comments.select_related("author"))}
    others.discard(by)
    notify(
        recipients=others,
        message=_("New comment on “%(title)s”: %(text)s") % {"title": post.title, "text": comment.text[:200]},
        url=_post_url(post),
        email_subject=_("A comment on a post"),
    )
    return comment


@transaction.atomic
def submission_record_edit(*, by: Any, post: Post, note: str = "", now: datetime | None = None) -> ReviewStep | None:
    """Joint editing (003 § 5.11): a change while the post is with the curator is a recorded step, and
    the other side is told, so both see each other's versions in the history."""
    submission = latest_submission(post)
    if submission is None or submission.state != SubmissionState.PENDING:
        return None
    if not takes_part(by, post):
        raise PermissionDenied
    now = now or timezone.now()
    step = ReviewStep.objects.create(submission=submission, kind=StepKind.EDITED, by=by, at=now, note=note)
    recipients: set[Any] = (
        {submission.submitted_by, post.author}
        if access_of(by).curates(post.network_id)
        else {team.curator for team in (page_team(v.page) for v in post.variants.select_related("page"))}
    )
    recipients = {r for r in recipients if r is not None and r != by}
    notify(
        recipients=recipients,
        message=_("%(who)s edited “%(title)s” during review.") % {"who": by, "title": post.title},
        url=_post_url(post),
        email_subject=_("A post was edited during review"),
    )
    return step


@transaction.atomic
def post_delete_published(
    *, by: Any, post: Post, reason: str, coordinator_agreed: bool, note: str = "", now: datetime | None = None
) -> Post:
    """R-REV-4 (003 § 5.10): only the curator deletes a published post, only for one of four reasons,
    and only with the coordinator's agreement. The post is marked withdrawn here and the step recorded;
    removing it from the network comes with publishing."""
    from kurator.review.choices import DeletionReason

    post = Post.objects.select_for_update().get(pk=post.pk)
    if not access_of(by).curates(post.network_id):
        raise PermissionDenied
    if post.state != PostState.PUBLISHED:
        raise ValidationError(_("Only a published post can be deleted."))
    if reason not in DeletionReason.values:
        raise ValidationError({"reason": _("Choose one of the reasons of 003 § 5.10.")})
    if not coordinator_agreed:
        raise ValidationError(
            {"coordinator_agreed": _("Deleting a post is agreed with the page's coordinator first (003 § 5.10).")}
        )
    now = now or timezone.now()
    submission = latest_submission(post)
    if submission is None:
        raise ValidationError(_("The post was never reviewed."))
    label = str(DeletionReason(reason).label)
    coordinators = [t.coordinator for t in (page_team(v.page) for v in post.variants.select_related("page"))]
    agreed_with = ", ".join(str(c) for c in coordinators if c is not None) or "—"
    step_note = _("Reason: %(reason)s. Agreed with the coordinator: %(who)s.") % {"reason": label, "who": agreed_with}
    if note.strip():
        step_note += " " + note.strip()
    ReviewStep.objects.create(submission=submission, kind=StepKind.DELETED, by=by, at=now, note=step_note)
    post.state = PostState.WITHDRAWN
    post.save(update_fields=["state", "updated_at"])
    summary = _("“%(title)s” is deleted after publication: %(reason)s.") % {"title": post.title, "reason": label}
    audit_record(actor=by, verb="post.deleted", summary=summary, target=post, network_id=post.network_id)
    notify(recipients={c for c in coordinators if c is not None} | {post.author}, message=summary, url=_post_url(post))
    return post
