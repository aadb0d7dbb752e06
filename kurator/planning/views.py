"""Planning screens: posts with their variants, media and live previews, and rubrics. Thin: selectors
read, services write (R-PLAN-1, 6, 7, 10, 11; R-PUB-1; R-REV-5)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kurator.accounts.access import access_of, active_assignments_q
from kurator.accounts.choices import Role
from kurator.accounts.models import RoleAssignment
from kurator.accounts.selectors import people_visible_to
from kurator.core.formtools import run_service
from kurator.core.history import audit_events_of, history_of
from kurator.networks.limits import Media
from kurator.planning import content, services
from kurator.planning.choices import PostState, Topic
from kurator.planning.forms import (
    DesignerRequestForm,
    MediaForm,
    MentionFormSet,
    PostForm,
    RubricForm,
    RubricPauseForm,
    RubricReformatForm,
    VariantForm,
    post_initial,
)
from kurator.planning.media import media_add, media_remove
from kurator.planning.models import Post, PostMedia, PostVariant, Rubric
from kurator.planning.preview import Preview, preview
from kurator.planning.selectors import (
    designer_requests_for,
    next_due_slot,
    plannable_pages,
    posts_visible_to,
    rubrics_visible_to,
)
from kurator.registry.models import Network
from kurator.registry.selectors import get_visible_or_404
from kurator.review.deadlines import review_deadline
from kurator.review.services import submission_record_edit


def _network(request: HttpRequest) -> Network:
    network = getattr(request, "network", None)
    if network is None:
        raise Http404(_("You have no library network."))
    return network


def _may_edit(user: Any, post: Post) -> bool:
    return access_of(user).oversees(post.network_id) or any(
        services.can_plan_for(user, v.page) for v in post.variants.all()
    )


def _deadline(post: Post) -> Any:
    pages = [v.page for v in post.variants.all()]
    if not pages:
        return None
    try:
        return review_deadline(pages, post.planned_at)
    except ValueError:  # a library without working days: the plan still shows, without a deadline
        return None


# Posts -----------------------------------------------------------------------------------------


@login_required
def posts_list(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    posts = posts_visible_to(request.user, network)
    page, state, when = request.GET.get("page", ""), request.GET.get("state", ""), request.GET.get("when", "upcoming")
    today = timezone.localdate()
    if when == "week":
        monday = today - timedelta(days=today.weekday())
        posts = posts.filter(planned_at__date__gte=monday, planned_at__date__lt=monday + timedelta(days=7))
    elif when == "upcoming":
        posts = posts.filter(planned_at__gte=timezone.now() - timedelta(hours=1))
    if page.isdigit():
        posts = posts.filter(variants__page_id=int(page))
    if state in PostState.values:
        posts = posts.filter(state=state)
    context = {
        "posts": posts.order_by("planned_at", "id")[:300],
        "pages": plannable_pages(request.user, network) if access_of(request.user).page_ids else None,
        "all_pages": posts_visible_to(request.user, network)
        .values_list("variants__page_id", "variants__page__name")
        .distinct()
        .order_by("variants__page__name"),
        "states": PostState.choices,
        "filters": {"page": page, "state": state, "when": when},
        "today": today,
        "can_add": plannable_pages(request.user, network).exists(),
        # R-PLAN-11: the designer sees what is due, the requester what they asked for.
        "design_tasks": designer_requests_for(request.user, network).filter(
            Q(designer=request.user) | Q(requested_by=request.user)
        )[:20],
    }
    template = "planning/posts.html#post-rows" if request.htmx else "planning/posts.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _media_of(post: Post | None) -> tuple[Media, ...]:
    if post is None or post.pk is None:
        return ()
    return tuple(Media(m.kind, m.size, m.content_type) for m in post.media.all())


def _variant_forms(user: Any, post: Post, data: Any = None) -> list[tuple[PostVariant, VariantForm]]:
    """A form for the text of each page the person plans for; other pages' texts are their people's."""
    return [
        (v, VariantForm(data, prefix=f"v{v.pk}", initial={"text": v.text, "parse_mode": v.parse_mode}))
        for v in post.variants.select_related("page", "page__library").order_by("page__name")
        if services.can_plan_for(user, v.page)
    ]


def _previews(post_text: str, pages: list[Any], variant_texts: dict[int, tuple[str, str]], media: Any) -> list[Preview]:
    """Each chosen page's preview: its own text if it has one, else the post's text."""
    result = []
    for page in pages:
        own, mode = variant_texts.get(page.pk, ("", ""))
        result.append(preview(page, own or post_text, mode if page.social_network == "telegram" else "", media))
    return result


def _new_post_initial(request: HttpRequest, pages: Any) -> dict[str, Any]:
    """A click on the calendar's empty slot opens a new post for that time and page (calendar.js)."""
    initial: dict[str, Any] = {"planned_at": None}
    when = request.GET.get("planned_at", "")
    if len(when) == 16 and when[10] == "T":
        initial["planned_at"] = when
    page = request.GET.get("page", "")
    if page.isdigit() and pages.filter(pk=int(page)).exists():
        initial["pages"] = [int(page)]
    return initial


def _editor_context(request: HttpRequest, network: Network, post: Post | None, data: Any = None) -> dict[str, Any]:
    pages = plannable_pages(request.user, network)
    if post is not None:  # pages the post already goes to stay listed for whoever may edit it
        pages = (pages | network.pages.filter(variants__post=post)).distinct()
    form = PostForm(
        data,
        pages=pages,
        rubrics=rubrics_visible_to(request.user, network),
        initial=post_initial(post) if post else _new_post_initial(request, pages),
    )
    people = people_visible_to(request.user, network).filter(is_active=True)
    mentions = MentionFormSet(
        data,
        prefix="mentions",
        initial=[{"kind": m.kind, "name": m.name, "url": m.url} for m in post.mentions.all()] if post else None,
    )
    # Those who hold the designer role today (003 § 5.7: "дизайнером (при наличии)").
    designers = people.filter(
        pk__in=RoleAssignment.objects.filter(active_assignments_q(timezone.localdate()), role=Role.DESIGNER).values(
            "person_id"
        )
    )
    designer = DesignerRequestForm(data, designers=designers, prefix="design")
    return {
        "form": form,
        "variant_forms": _variant_forms(request.user, post, data) if post else [],
        "mentions": mentions,
        "designer": designer,
        "post": post,
        "time_zone": timezone.get_current_timezone_name(),
    }


def _save_details(request: HttpRequest, ctx: dict[str, Any], post: Post) -> bool:
    """Variants' texts, mentions and the designer request; False when a service refused something."""
    ok = True
    for variant, vform in ctx["variant_forms"]:
        if vform.is_valid():
            ok &= (
                run_service(
                    vform,
                    content.variant_update,
                    by=request.user,
                    variant=variant,
                    text=vform.cleaned_data["text"],
                    parse_mode=vform.cleaned_data["parse_mode"],
                )
                is not None
            )
        else:
            ok = False
    mentions = ctx["mentions"]
    if mentions.is_valid():
        rows = [(f["kind"], f.get("name", ""), f.get("url", "")) for f in mentions.cleaned_data if f]
        ok &= run_service(ctx["form"], content.mentions_set, by=request.user, post=post, mentions=rows) is not None
    else:
        ok = False
    design = ctx["designer"]
    if design.is_valid() and design.cleaned_data["designer_description"].strip():
        ok &= (
            run_service(
                design,
                content.designer_request_create,
                by=request.user,
                post=post,
                description=design.cleaned_data["designer_description"],
                due_on=design.cleaned_data["designer_due_on"],
                designer=design.cleaned_data["designer"],
            )
            is not None
        )
    return ok


def _post_fields(form: PostForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("pages")
    return data


@login_required
def post_create(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    if not plannable_pages(request.user, network).exists():
        raise PermissionDenied
    ctx = _editor_context(request, network, None, request.POST or None)
    form = ctx["form"]
    if request.method == "POST" and form.is_valid() and ctx["mentions"].is_valid() and ctx["designer"].is_valid():
        with transaction.atomic():
            post = run_service(
                form,
                services.post_create,
                by=request.user,
                network=network,
                pages=form.cleaned_data["pages"],
                **_post_fields(form),
            )
            if post is not None and not _save_details(request, ctx, post):
                transaction.set_rollback(True)
                post = None
        if post is not None:
            messages.success(request, _("The post is planned. Check how it looks on each page, then submit it."))
            return redirect("planning:post", pk=post.pk)
    ctx["title"] = _("New post")
    return render(request, "planning/post_form.html", ctx)


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_visible_or_404(posts_visible_to(request.user), pk=pk)
    if not _may_edit(request.user, post):
        raise PermissionDenied
    if post.state in (PostState.PUBLISHED, PostState.WITHDRAWN):
        messages.warning(request, _("A published or withdrawn post cannot be changed here."))
        return redirect("planning:post", pk=post.pk)
    ctx = _editor_context(request, post.network, post, request.POST or None)
    form = ctx["form"]
    if request.method == "POST" and form.is_valid() and ctx["mentions"].is_valid() and ctx["designer"].is_valid():
        with transaction.atomic():
            chosen = set(form.cleaned_data["pages"])
            # Unchanged pages are not sent: a coordinator may edit a shared post without planning for
            # every page it goes to (post_update checks each page it is given).
            pages = None if chosen == {v.page for v in post.variants.all()} else chosen
            saved = run_service(
                form, services.post_update, by=request.user, post=post, pages=pages, **_post_fields(form)
            )
            ok = saved is not None and _save_details(
                request, {**ctx, "variant_forms": _variant_forms(request.user, saved, request.POST)}, saved
            )
            if ok and saved is not None:
                # Joint editing during review (R-REV-3, 003 § 5.11): a recorded step, the other side told.
                submission_record_edit(by=request.user, post=saved)
            else:
                transaction.set_rollback(True)
        if ok:
            messages.success(request, _("Changes saved."))
            return redirect("planning:post", pk=post.pk)
    ctx["title"] = _("Edit “%(title)s”") % {"title": post.title}
    return render(request, "planning/post_form.html", ctx)


@login_required
@require_POST
def post_preview(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The live preview (htmx, on input): how each chosen page will show the post, and its problems."""
    network = _network(request)
    post = get_visible_or_404(posts_visible_to(request.user), pk=pk) if pk else None
    if post is not None:
        network = post.network
    pages_qs = plannable_pages(request.user, network)
    if post is not None:
        pages_qs = (pages_qs | network.pages.filter(variants__post=post)).distinct()
    chosen = [int(p) for p in request.POST.getlist("pages") if p.isdigit()]
    pages = list(pages_qs.filter(pk__in=chosen).order_by("name"))
    texts: dict[int, tuple[str, str]] = {}
    if post is not None:
        for v in post.variants.all():
            texts[v.page_id] = (
                request.POST.get(f"v{v.pk}-text", v.text),
                request.POST.get(f"v{v.pk}-parse_mode", v.parse_mode),
            )
    items = _previews(request.POST.get("text", ""), pages, texts, _media_of(post))
    return render(request, "planning/_previews.html", {"previews": items})


@login_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from kurator.review.views import review_context

    post = get_visible_or_404(posts_visible_to(request.user), pk=pk)
    variants = list(post.variants.select_related("page", "page__library").order_by("page__name"))
    media = _media_of(post)
    previews = [preview(v.page, v.effective_text, v.parse_mode, media) for v in variants]
    variant_history = [(v, history_of(v)) for v in variants]
    return render(
        request,
        "planning/post_detail.html",
        {
            "post": post,
            "previews": previews,
            "has_problems": any(p.problems for p in previews),
            "deadline": _deadline(post),
            "approval_pages": [v.page for v in variants if v.page.approval_weekday is not None],
            "can_edit": _may_edit(request.user, post) and post.state not in (PostState.PUBLISHED, PostState.WITHDRAWN),
            "media_form": MediaForm(),
            "media": post.media.all(),
            "mentions": post.mentions.all(),
            "designer_requests": post.designer_requests.select_related("designer"),
            "direction_needs_approval": services.direction_needs_approval(post),
            "can_approve_direction": access_of(request.user).administers(post.network_id),
            "topic_labels": [Topic(t).label for t in post.topics if t in Topic.values],
            "history": history_of(post),
            "variant_history": variant_history,
            "audit_events": audit_events_of(post),
            **review_context(request, post, variants),
        },
    )


@login_required
@require_POST
def post_direction_approve(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_visible_or_404(posts_visible_to(request.user), pk=pk)
    if not access_of(request.user).administers(post.network_id):
        raise PermissionDenied
    try:
        content.direction_approve(by=request.user, post=post)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The direction is approved."))
    return redirect("planning:post", pk=post.pk)


# Media -----------------------------------------------------------------------------------------


@login_required
@require_POST
def media_upload(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_visible_or_404(posts_visible_to(request.user), pk=pk)
    if not _may_edit(request.user, post):
        raise PermissionDenied
    form = MediaForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            media_add(by=request.user, post=post, upload=form.cleaned_data["file"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The file is attached."))
    else:
        for errors in form.errors.values():
            for error_text in errors:
                messages.error(request, str(error_text))
    return redirect("planning:post", pk=post.pk)


def _visible_media(user: Any, pk: int) -> PostMedia:
    return get_visible_or_404(PostMedia.objects.select_related("post").filter(post__in=posts_visible_to(user)), pk=pk)


@login_required
def media_file(request: HttpRequest, pk: int) -> FileResponse:
    """Files are served by Kurator, never by a web server guessing their type: the checked type, no
    sniffing, and a sandbox policy, so even a file that slipped through cannot run as a page."""
    media = _visible_media(request.user, pk)
    try:
        handle = media.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("The file is missing.")) from missing
    response = FileResponse(handle, content_type=media.content_type)
    disposition = "attachment" if request.GET.get("download") == "1" else "inline"
    name = f"media-{media.pk}{PurePath(media.file.name).suffix}"  # never the uploaded name: it is only a label
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    return response


@login_required
@require_POST
def media_delete(request: HttpRequest, pk: int) -> HttpResponse:
    media = _visible_media(request.user, pk)
    if not _may_edit(request.user, media.post):
        raise PermissionDenied
    try:
        media_remove(by=request.user, media=media)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The file is removed."))
    return redirect("planning:post", pk=media.post_id)


# Rubrics ---------------------------------------------------------------------------------------


@login_required
def rubrics_list(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    access = access_of(request.user)
    rubrics = [(r, next_due_slot(r)) for r in rubrics_visible_to(request.user, network)]
    return render(
        request,
        "planning/rubrics.html",
        {
            "rubrics": rubrics,
            "can_add": access.oversees(network.pk),
            "user_id": request.user.pk,
            "oversees": access.oversees(network.pk),
        },
    )


@login_required
def rubric_create(request: HttpRequest) -> HttpResponse:
    network = _network(request)
    if not access_of(request.user).oversees(network.pk):
        raise PermissionDenied
    form = RubricForm(
        request.POST or None,
        people=people_visible_to(request.user, network).filter(is_active=True),
        pages=plannable_pages(request.user, network),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        rubric = run_service(
            form,
            services.rubric_create,
            by=request.user,
            network=network,
            name=data.pop("name"),
            owner=data.pop("owner"),
            pages=data.pop("pages"),
            **data,
        )
        if rubric is not None:
            messages.success(request, _("The rubric is created."))
            return redirect("planning:rubrics")
    return render(request, "core/form.html", {"form": form, "title": _("New rubric")})


def _rubric_for_change(request: HttpRequest, pk: int) -> Rubric:
    rubric = get_visible_or_404(rubrics_visible_to(request.user), pk=pk)
    if not (access_of(request.user).oversees(rubric.network_id) or request.user.pk == rubric.owner_id):
        raise PermissionDenied
    return rubric


@login_required
def rubric_pause(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = _rubric_for_change(request, pk)
    form = RubricPauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            services.rubric_pause,
            by=request.user,
            rubric=rubric,
            reason=form.cleaned_data["reason"],
            until=form.cleaned_data["until"],
        )
        if done is not None:
            messages.success(request, _("The rubric pauses."))
            return redirect("planning:rubrics")
    return render(request, "core/form.html", {"form": form, "title": _("Pause “%(name)s”") % {"name": rubric.name}})


@login_required
@require_POST
def rubric_resume(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = _rubric_for_change(request, pk)
    services.rubric_resume(by=request.user, rubric=rubric)
    messages.success(request, _("The rubric is resumed."))
    return redirect("planning:rubrics")


@login_required
def rubric_reformat(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = _rubric_for_change(request, pk)
    form = RubricReformatForm(request.POST or None, initial={"format": rubric.format})
    if request.method == "POST" and form.is_valid():
        done = run_service(form, content.rubric_reformat, by=request.user, rubric=rubric, **form.cleaned_data)
        if done is not None:
            messages.success(request, _("The rubric's format is changed."))
            return redirect("planning:rubrics")
    return render(
        request, "core/form.html", {"form": form, "title": _("Change the format of “%(name)s”") % {"name": rubric.name}}
    )
