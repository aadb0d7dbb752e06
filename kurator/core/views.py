"""The workspace's own pages: home, notifications, network switcher, language, health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kurator.core.health import last_heartbeat, worker_is_alive
from kurator.core.middleware import SESSION_KEY
from kurator.core.models import Notification
from kurator.core.services import notifications_mark_read


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from kurator.accounts.access import access_of
    from kurator.accounts.responsibility import page_teams
    from kurator.accounts.selectors import absences_visible_to
    from kurator.registry.selectors import pages_visible_to

    network = request.network  # type: ignore[attr-defined]
    access = access_of(request.user)
    my_pages = list(pages_visible_to(request.user, network).filter(id__in=access.page_ids)) if network else []
    teams = page_teams(my_pages)
    today_absences = []
    if network is not None:
        today = timezone.localdate()
        today_absences = list(
            absences_visible_to(request.user, network).filter(starts_on__lte=today, ends_on__gte=today)
        )
    attention: dict[str, object] = {}
    if network is not None and access.oversees(network.pk):
        from kurator.accounts.responsibility import current_coordinators
        from kurator.accounts.selectors import people_without_second_factor

        pages = list(pages_visible_to(request.user, network).filter(archived=False, is_main=False))
        coordinated = current_coordinators(pages)
        attention = {
            "pages_without_coordinator": [p for p in pages if p.pk not in coordinated],
            "without_second_factor": list(people_without_second_factor(request.user, network, timezone.localdate())),
        }
    return render(
        request,
        "core/home.html",
        {
            "attention": attention,
            "teams": teams,
            "page_count": pages_visible_to(request.user, network).count() if network else 0,
            "today_absences": today_absences,
            "recent_notifications": request.user.notifications.all()[:5],  # type: ignore[union-attr]
        },
    )


def health(request: HttpRequest) -> JsonResponse:
    """For the operator's monitoring: 200 while a worker has run its periodic job recently, else 503."""
    alive = worker_is_alive()
    beat = last_heartbeat()
    return JsonResponse(
        {"status": "ok" if alive else "worker-stalled", "worker_last_seen": beat.isoformat() if beat else None},
        status=200 if alive else 503,
    )


@login_required
@require_POST
def switch_network(request: HttpRequest) -> HttpResponse:
    from kurator.registry.selectors import networks_visible_to

    chosen = request.POST.get("network", "")
    network = networks_visible_to(request.user).filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if network is None:
        return HttpResponseBadRequest()
    request.session[SESSION_KEY] = network.pk
    return redirect(_safe_next(request, "/"))


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(recipient=request.user)[:200]
    return render(request, "core/notifications.html", {"items": items})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(person=request.user)
    return redirect("core:notifications")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; for a logged-in person the choice is kept on their profile."""
    from django.conf import settings

    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest()
    if request.user.is_authenticated:
        from kurator.accounts.services import person_set_language

        person_set_language(person=request.user, language=language)  # type: ignore[arg-type]
    response = redirect(_safe_next(request, "/"))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
