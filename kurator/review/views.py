"""Review screens (R-REV-1..4): submit, the curator's queue, approve, return with comments per
variant, the threaded discussion, and deleting a published post for a reason of 003 § 5.10."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kurator.accounts.access import access_of
from kurator.core.formtools import run_service
from kurator.planning.choices import PostState
from kurator.planning.forms import CommentForm, DeletePublishedForm, ReturnForm
from kurator.planning.models import Post
from kurator.planning.selectors import posts_visible_to, submissions_awaiting, submissions_visible_to
from kurator.planning.services import can_plan_for
from kurator.registry.selectors import get_visible_or_404
from kurator.review import services
from kurator.review.choices import SubmissionState
from kurator.review.models import ReviewComment, Submission


def _threads(submission: Submission | None, post: Post) -> list[tuple[Any, list[Any]]]:
    """All comments on the post (every submission), grouped by variant (None: the whole post), each
    thread as (comment, depth) in reading order."""
    comments = list(ReviewComment.objects.filter(submission__post=post).select_related("author", "variant__page"))
    children: dict[int | None, list[ReviewComment]] = defaultdict(list)
    for c in comments:
        children[c.parent_id].append(c)
    by_variant: dict[Any, list[tuple[ReviewComment, int]]] = defaultdict(list)

    def walk(comment: ReviewComment, depth: int) -> None:
        by_variant[comment.variant].append((comment, depth))
        for child in children.get(comment.pk, []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    return list(by_variant.items())


def review_context(request: HttpRequest, post: Post, variants: list[Any]) -> dict[str, Any]:
    """What the post page shows of its review: the current submission, its steps, the threads and what
    the person may do."""
    access = access_of(request.user)
    submission = services.latest_submission(post)
    plans = any(can_plan_for(request.user, v.page) for v in variants)
    curates = access.curates(post.network_id)
    pending = submission is not None and submission.state == SubmissionState.PENDING
    return {
        "submission": submission,
        "steps": (
            [s for sub in post.submissions.order_by("submitted_at") for s in sub.steps.select_related("by")]
            if submission
            else []
        ),
        "threads": _threads(submission, post),
        "can_submit": plans and post.state in (PostState.DRAFT, PostState.RETURNED),
        "can_decide": curates and pending,
        "can_comment": submission is not None and (curates or plans),
        "can_delete_published": curates and post.state == PostState.PUBLISHED,
        "comment_form": CommentForm(),
    }


@login_required
@require_POST
def post_submit(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_visible_or_404(posts_visible_to(request.user), pk=pk)
    try:
        services.post_submit(by=request.user, post=post)
    except ValidationError as error:
        # A late submission: the service says by when it was due (R-REV-1).
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The post is sent to the curator."))
    return redirect("planning:post", pk=post.pk)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """The curator's list: overdue first, urgent marked (R-REV-1, R-REV-2)."""
    network = getattr(request, "network", None)
    if not access_of(request.user).curates(getattr(network, "pk", None)):
        raise PermissionDenied
    return render(
        request,
        "review/queue.html",
        {"submissions": submissions_awaiting(request.user, network), "now": timezone.now()},
    )


def _submission(request: HttpRequest, pk: int) -> Submission:
    submission = get_visible_or_404(submissions_visible_to(request.user), pk=pk)
    if not access_of(request.user).curates(submission.post.network_id):
        raise PermissionDenied
    return submission


@login_required
@require_POST
def submission_approve(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    try:
        services.submission_approve(by=request.user, submission=submission)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The post is approved."))
    return redirect("planning:post", pk=submission.post_id)


@login_required
def submission_return(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    variants = submission.post.variants.select_related("page").order_by("page__name")
    form = ReturnForm(request.POST or None, variants=variants)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form, services.submission_return, by=request.user, submission=submission, comments=form.comments()
        )
        if done is not None:
            messages.success(request, _("The post is returned to the coordinator with your comments."))
            return redirect("planning:post", pk=submission.post_id)
    return render(request, "review/return.html", {"form": form, "submission": submission, "post": submission.post})


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment or a reply in a thread, by the curator or the coordinator (R-REV-3)."""
    submission = get_visible_or_404(submissions_visible_to(request.user), pk=pk)
    if not services.takes_part(request.user, submission.post):
        raise PermissionDenied
    form = CommentForm(request.POST)
    parent = variant = None
    parent_id, variant_id = request.POST.get("parent", ""), request.POST.get("variant", "")
    if parent_id.isdigit():
        parent = ReviewComment.objects.filter(submission__post=submission.post, pk=int(parent_id)).first()
    if variant_id.isdigit():
        variant = submission.post.variants.filter(pk=int(variant_id)).first()
    if form.is_valid():
        try:
            services.comment_add(
                by=request.user, submission=submission, text=form.cleaned_data["text"], variant=variant, parent=parent
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The comment is added."))
    else:
        messages.error(request, _("Write the comment."))
    return redirect(f"{_post_url(submission.post_id)}#review")


def _post_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("planning:post", args=[pk])


@login_required
def post_delete_published(request: HttpRequest, pk: int) -> HttpResponse:
    """R-REV-4: "edit instead" is offered first; deletion needs a reason and the coordinator's word."""
    post = get_visible_or_404(posts_visible_to(request.user), pk=pk)
    if not access_of(request.user).curates(post.network_id):
        raise PermissionDenied
    form = DeletePublishedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "cannot_edit"}
        done = run_service(form, services.post_delete_published, by=request.user, post=post, **data)
        if done is not None:
            messages.success(request, _("The post is marked withdrawn; it will be removed from the network."))
            return redirect("planning:post", pk=post.pk)
    return render(request, "review/delete_published.html", {"form": form, "post": post})
