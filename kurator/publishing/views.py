"""Publishing screens: the network's "publishing today" board (also per page and per post: the
publication log) and one publication with its log and what a person may do with it."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kurator.accounts.access import access_of
from kurator.core.formtools import run_service
from kurator.publishing import selectors, services
from kurator.publishing.choices import PublicationState
from kurator.publishing.forms import ConfirmForm
from kurator.publishing.models import Publication
from kurator.publishing.sending import post_text
from kurator.publishing.tokens import token_check
from kurator.registry.models import PageConnection
from kurator.registry.selectors import get_visible_or_404, pages_visible_to


def _day(request: HttpRequest, time_zone: str) -> date:
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localtime(timezone.now(), timezone=_zone(time_zone)).date()


def _zone(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    network = getattr(request, "network", None)
    if network is None:
        raise PermissionDenied
    publications = selectors.publications_visible_to(request.user, network)
    page = None
    if request.GET.get("page", "").isdigit():
        page = get_visible_or_404(pages_visible_to(request.user, network), pk=int(request.GET["page"]))
        publications = publications.filter(page=page)
    post_id = int(request.GET["post"]) if request.GET.get("post", "").isdigit() else None
    if post_id is not None:
        publications = publications.filter(post_id=post_id)
    day = _day(request, network.time_zone)
    if post_id is not None:
        # A post's log: all its publications, whatever their day.
        board = selectors.Board(day=day)
        for publication in publications.exclude(state=PublicationState.CANCELLED):
            selectors.board_column(board, publication).append(publication)
    else:
        board = selectors.board_for(publications, day=day, time_zone=network.time_zone)
    columns = [(name, COLUMN_TITLES[name], getattr(board, name)) for name in selectors.BOARD_COLUMNS]
    return render(
        request,
        "publishing/board.html",
        {"board": board, "columns": columns, "page": page, "post_id": post_id, "network": network},
    )


COLUMN_TITLES = {  # lazy: the module is imported before any request chooses a language
    "needs_a_person": gettext_lazy("Needs a person"),
    "failed": gettext_lazy("Failed"),
    "sending": gettext_lazy("Sending now"),
    "retrying": gettext_lazy("Will be retried"),
    "waiting_for_limits": gettext_lazy("Waiting for the network's limits"),
    "due": gettext_lazy("Due"),
    "published": gettext_lazy("Published"),
}


def _publication(request: HttpRequest, pk: int) -> Publication:
    return get_visible_or_404(selectors.publications_visible_to(request.user), pk=pk)


@login_required
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    access = access_of(request.user)
    may_settle = access.oversees(publication.post.network_id) or publication.page_id in access.page_ids
    return render(
        request,
        "publishing/publication.html",
        {
            "publication": publication,
            "events": publication.events.select_related("actor"),
            "text": post_text(publication),
            "media": list(publication.post.media.order_by("position", "pk")),
            "may_settle": may_settle,
            "form": ConfirmForm(),
            "states": PublicationState,
        },
    )


@login_required
@require_POST
def publication_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    form = ConfirmForm(request.POST)
    if form.is_valid() and run_service(
        form, services.publication_confirm, by=request.user, publication=publication, url=form.cleaned_data["url"]
    ):
        messages.success(request, _("Recorded: the post is on the page."))
        return redirect("publishing:publication", pk=pk)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("publishing:publication", pk=pk)


@login_required
@require_POST
def publication_send_now(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(request, pk)
    try:
        services.publication_send_now(by=request.user, publication=publication)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The post will be sent now."))
    return redirect("publishing:publication", pk=pk)


@login_required
@require_POST
def connection_check(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Check now" on a page's connection: the registry keeps the connection, publishing knows how to
    ask the network (R-PUB-4)."""
    page = get_visible_or_404(pages_visible_to(request.user), pk=pk)
    if not request.user.has_perm("registry.connect_page", page):
        raise PermissionDenied
    connection = PageConnection.objects.select_related("page").filter(page=page).first()
    if connection is None:
        messages.error(request, _("The page is not connected to its network."))
        return redirect("registry:page", pk=page.pk)
    result = token_check(connection)
    if not result.reached:
        messages.warning(
            request,
            _("The network did not answer (%(error)s); nothing is changed. Try again in a few minutes.")
            % {"error": result.problem},
        )
    elif result.problem is None:
        messages.success(request, _("The token works: Kurator may publish on this page."))
    else:
        messages.error(request, _("The token does not work: %(problem)s") % {"problem": result.problem})
    return redirect("registry:page", pk=page.pk)
