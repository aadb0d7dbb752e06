"""The content plan's calendar (R-PLAN-2..5): the page, its JSON feed for FullCalendar, and moving a
post by drag and drop. Thin: kurator.planning.calendar reads, kurator.planning.services writes.

Without JavaScript the page is a plain list of the period with links to the previous and next one."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kurator.planning import services
from kurator.planning.calendar import (
    STATE_COLOURS,
    Period,
    can_move,
    page_time_zone,
    plan_for,
    plannable_pages,
    post_time_zone,
    scope_pages,
    warnings_for,
)
from kurator.planning.choices import PostState
from kurator.planning.models import Post
from kurator.planning.selectors import posts_visible_to
from kurator.registry.models import Library, Network, Page
from kurator.registry.selectors import get_visible_or_404, libraries_visible_to, pages_visible_to
from kurator.review.deadlines import review_deadline

VIEWS = ("month", "week", "list")


def _network(request: HttpRequest) -> Network:
    network = getattr(request, "network", None)
    if network is None:
        raise Http404(_("You have no library network."))
    return network


def _today(network: Network) -> date:
    return timezone.localdate(timezone=ZoneInfo(network.time_zone))


def _parse_day(value: str | None) -> date | None:
    """FullCalendar sends 2026-11-30T00:00:00Z; a person's link sends 2026-11-30."""
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def _scope(request: HttpRequest, network: Network) -> tuple[Page | None, Library | None, list[Page]]:
    """?page=… or ?library=… narrows the calendar; none of them is every page the person sees."""
    page = library = None
    page_id, library_id = request.GET.get("page", ""), request.GET.get("library", "")
    if page_id.isdigit():
        page = get_visible_or_404(pages_visible_to(request.user, network), pk=int(page_id))
    elif library_id.isdigit():
        library = get_visible_or_404(libraries_visible_to(request.user, network), pk=int(library_id))
    return page, library, scope_pages(request.user, network, page=page, library=library)


def _shown_period(view: str, anchor: date) -> tuple[Period, date, date]:
    """The period a plain-list page shows, and the anchors of the previous and the next one."""
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return Period(monday, monday + timedelta(days=6)), monday - timedelta(days=7), monday + timedelta(days=7)
    first = anchor.replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return Period(first, following - timedelta(days=1)), previous, following


@login_required
@require_safe
def calendar_page(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    page, library, pages = _scope(request, network)
    today = _today(network)
    view = request.GET.get("view", "month")
    view = view if view in VIEWS else "month"
    anchor = _parse_day(request.GET.get("start")) or today
    period, previous, following = _shown_period(view, anchor)
    plan = plan_for(request.user, network, pages, period, today)
    scope_query = f"page={page.pk}" if page else f"library={library.pk}" if library else ""
    context = {
        "network": network,
        "plan": plan,
        "period": period,
        "view": view,
        "anchor": anchor,
        "previous": previous,
        "following": following,
        "today": today,
        "scope_page": page,
        "scope_library": library,
        "scope_query": scope_query,
        "pages": pages_visible_to(request.user, network).filter(archived=False),
        "libraries": libraries_visible_to(request.user, network),
        "warnings_by_page": _group_warnings(plan.warnings),
        "can_plan": bool(plannable_pages(request.user, network)),
        "states": [(label, STATE_COLOURS[PostState(value)]) for value, label in PostState.choices],
    }
    return render(request, "planning/calendar.html", context)


def _group_warnings(warnings: list[Any]) -> list[tuple[str, list[Any]]]:
    """One block per page (two pages may share a name on different networks, so the id keys it)."""
    from kurator.registry.models import Page

    grouped: dict[int, list[Any]] = {}
    for warning in warnings:
        grouped.setdefault(warning.page_id, []).append(warning)
    labels = {p.pk: str(p) for p in Page.objects.filter(pk__in=list(grouped))}
    return sorted(
        ((labels.get(pid, items[0].page_name), items) for pid, items in grouped.items()), key=lambda row: row[0]
    )


@login_required
@require_safe
def calendar_feed(request: HttpRequest) -> JsonResponse:
    """FullCalendar's event source: {"events": […], "warnings": […]} for ?start=…&end=… (end exclusive)."""
    network = _network(request)
    _page, _library, pages = _scope(request, network)
    today = _today(network)
    first = _parse_day(request.GET.get("start")) or today.replace(day=1)
    end = _parse_day(request.GET.get("end"))
    last = end - timedelta(days=1) if end else first + timedelta(days=41)
    period = Period.clipped(first, last)
    plan = plan_for(request.user, network, pages, period, today)
    return JsonResponse({"events": plan.events(), "warnings": [w.as_json() for w in plan.warnings]})


def _refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message}, status=status)


@login_required
@require_POST
def calendar_move(request: HttpRequest, pk: int) -> JsonResponse:
    """Drag and drop: the post gets the new publication time (the wall clock of its page's library)
    through services.post_update; the answer carries the recomputed review deadline (R-REV-1) and the
    warnings of its pages. A refusal says why, and the calendar puts the post back."""
    post = get_visible_or_404(posts_visible_to(request.user), pk=pk)
    if not can_move(request.user, post):
        if post.state in (PostState.PUBLISHED, PostState.WITHDRAWN):
            return _refusal(_("A published or withdrawn post cannot be moved."), 400)
        raise PermissionDenied
    zone = ZoneInfo(_move_zone(post, request.POST.get("zone", "")))
    try:
        moved = datetime.fromisoformat(request.POST.get("start", "")[:16])
    except ValueError:
        return _refusal(_("The new time was not understood."), 400)
    if moved.tzinfo is not None:
        moved = moved.replace(tzinfo=None)
    old_day = post.planned_at.astimezone(zone).date()
    try:
        post = services.post_update(by=request.user, post=post, planned_at=moved.replace(tzinfo=zone))
    except PermissionDenied:
        return _refusal(_("You may not move this post."), 403)
    except ValidationError as exc:
        return _refusal(" ".join(exc.messages), 400)
    pages = [v.page for v in post.variants.select_related("page", "page__library", "page__network")]
    deadline = review_deadline(pages, post.planned_at)  # every page's library counts, seen or not
    local_due = deadline.due_by.astimezone(ZoneInfo(deadline.library.time_zone))
    network = post.network
    today = _today(network)
    new_day = post.planned_at.astimezone(zone).date()
    period = Period(min(old_day, new_day), max(old_day, new_day))
    # Warnings only for the pages the person sees: a shared post's other page is not theirs to count.
    seen = set(pages_visible_to(request.user, network).values_list("pk", flat=True))
    warnings = warnings_for(request.user, network, [p for p in pages if p.pk in seen], period, today)
    # A post already with the curator was checked against its new deadline by the service; only one
    # still to be submitted can have missed it.
    in_review = post.state in (PostState.SUBMITTED, PostState.APPROVED)
    late = not in_review and deadline.due_by < timezone.now()
    return JsonResponse(
        {
            "ok": True,
            "post": post.pk,
            "state": post.state,
            "planned_at": post.planned_at.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes"),
            "deadline": deadline.due_by.isoformat(),
            "deadline_text": date_format(local_due, "SHORT_DATETIME_FORMAT"),
            "late": late,
            "approval_page": deadline.approval_page.name if deadline.approval_page else None,
            "message": _move_message(local_due, late, post, deadline.approval_page),
            "warnings": [w.as_json() for w in warnings],
        }
    )


def _move_zone(post: Post, asked: str) -> str:
    """The zone whose wall clock the calendar showed: one of the post's pages' (a shared post is shown
    in the zone of the page in view); anything else falls back to the post's first page."""
    zones = {page_time_zone(v.page) for v in post.variants.all()}
    return asked if asked in zones else post_time_zone(post)


def _move_message(due: datetime, late: bool, post: Post, approval_page: Page | None) -> str:
    when = date_format(due, "SHORT_DATETIME_FORMAT")
    if post.state == PostState.APPROVED:
        return _("Moved. The approval stands: the new time keeps to the rules of review.")
    if post.state == PostState.SUBMITTED:
        return _("Moved. The post stays with the curator: the new time keeps to the rules of review.")
    if late and not post.urgent:
        return _("Moved. The review deadline, %(when)s, has passed: choose a later time or submit it as urgent.") % {
            "when": when
        }
    if approval_page is not None:
        return _("Moved. The curator must receive it by %(when)s, the approval day of “%(page)s”.") % {
            "when": when,
            "page": approval_page.name,
        }
    return _("Moved. The curator must receive it by %(when)s (5 working days ahead).") % {"when": when}
