"""Reads of content planning and review, always scoped to what the person may see (R-PLAN-*, R-REV-*).
Overseers (administration, curator) see all of their network; everyone else sees what concerns a page
they may see."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from kurator.accounts.access import access_of
from kurator.planning.choices import Cadence
from kurator.planning.models import DesignerRequest, Post, PostVariant, Rubric
from kurator.registry.models import Network, Page
from kurator.registry.selectors import pages_visible_to
from kurator.review.choices import SubmissionState
from kurator.review.models import Submission


def posts_visible_to(user: object, network: Network | None = None) -> QuerySet[Post]:
    """Overseers see every post of their networks; others the posts with a variant on a page they
    may see (so a coordinator sees a shared post of another library that also goes to their page)."""
    access = access_of(user)
    qs = Post.objects.select_related("network", "rubric", "author").prefetch_related(
        Prefetch("variants", queryset=PostVariant.objects.select_related("page", "page__library"))
    )
    if network is not None:
        qs = qs.filter(network=network)
    if access.is_operator:
        return qs
    pages = pages_visible_to(user, network)
    return qs.filter(
        Q(network_id__in=access.overseen_network_ids)
        | Q(network_id__in=access.network_ids, variants__page__in=pages)
        | Q(author_id=access.user_id)
    ).distinct()


def variants_visible_to(user: object, network: Network | None = None) -> QuerySet[PostVariant]:
    return PostVariant.objects.select_related("post", "page", "page__library").filter(
        post__in=posts_visible_to(user, network)
    )


def rubrics_visible_to(user: object, network: Network | None = None) -> QuerySet[Rubric]:
    """Rubrics are the network's shared plan (seed 000): everyone of the network sees them."""
    access = access_of(user)
    qs = Rubric.objects.select_related("network", "owner").prefetch_related("pages")
    if network is not None:
        qs = qs.filter(network=network)
    if access.is_operator:
        return qs
    return qs.filter(network_id__in=access.network_ids)


def designer_requests_for(user: object, network: Network | None = None) -> QuerySet[DesignerRequest]:
    """Open requests the person should act on or may follow: addressed to them, asked by them, or
    on a post they may see; soonest due first (R-PLAN-11)."""
    qs = DesignerRequest.objects.select_related("post", "post__network", "requested_by", "designer").filter(
        done_at__isnull=True
    )
    access = access_of(user)
    if network is not None:
        qs = qs.filter(post__network=network)
    if not access.is_operator:
        qs = qs.filter(
            Q(designer_id=access.user_id)
            | Q(requested_by_id=access.user_id)
            | Q(post__in=posts_visible_to(user, network))
        )
    return qs.order_by("due_on", "id")


def submissions_visible_to(user: object, network: Network | None = None) -> QuerySet[Submission]:
    return Submission.objects.select_related("post", "post__network", "submitted_by", "decided_by").filter(
        post__in=posts_visible_to(user, network)
    )


def submissions_awaiting(curator: object, network: Network | None = None) -> QuerySet[Submission]:
    """What the curator still has to decide (R-REV-1, R-REV-2): pending submissions of the networks
    they curate, overdue first (an urgent one past its same-day limit, or a post whose publication
    time has come), then by the time the decision is needed."""
    access = access_of(curator)
    qs = Submission.objects.select_related("post", "post__network", "submitted_by").filter(
        state=SubmissionState.PENDING
    )
    if network is not None:
        qs = qs.filter(post__network=network)
    if not access.is_operator:
        qs = qs.filter(post__network_id__in=access.curator_network_ids)
    now = timezone.now()
    overdue = Q(decide_by__lt=now) | Q(post__planned_at__lt=now)
    return qs.annotate(
        overdue=Case(When(overdue, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-overdue", "-urgent", "post__planned_at", "submitted_at")


def plannable_pages(user: object, network: Network) -> QuerySet[Page]:
    """The pages the person may plan posts for (their own pages; all of the network for overseers)."""
    access = access_of(user)
    qs = pages_visible_to(user, network).filter(archived=False)
    if access.oversees(network.pk):
        return qs
    return qs.filter(id__in=access.page_ids)


CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.FORTNIGHTLY: 14, Cadence.MONTHLY: 28}


def next_due_slot(rubric: Rubric, today: date | None = None) -> date | None:
    """The next day the rubric is due (R-PLAN-1): one cadence after its last planned post, not before
    today or the end of a pause, moved to its usual weekday; none while paused without an end."""
    today = today or timezone.localdate()
    if rubric.paused and rubric.paused_until is None:
        return None
    start = today
    if rubric.paused and rubric.paused_until is not None:
        start = max(start, rubric.paused_until + timedelta(days=1))
    last = rubric.posts.order_by("-planned_at").values_list("planned_at", flat=True).first()
    if last is not None:
        start = max(start, timezone.localtime(last).date() + timedelta(days=CADENCE_DAYS[Cadence(rubric.cadence)]))
    if rubric.weekday is not None:
        start += timedelta(days=(rubric.weekday - start.weekday()) % 7)
    return start
