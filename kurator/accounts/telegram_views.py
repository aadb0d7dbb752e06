"""The person's own Telegram notifications: link with a one-time code, see whether they arrive, unlink."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kurator.accounts import telegram
from kurator.core.errors import ValidationError


@login_required
def telegram_settings(request: HttpRequest) -> HttpResponse:
    """GET shows the state; POST makes a new code and shows it with its link, on this response only."""
    context: dict[str, object] = {
        "enabled": telegram.enabled(),
        "person": request.user,
        "code_lifetime_minutes": int(telegram.CODE_LIFETIME.total_seconds() // 60),
    }
    if request.method != "POST":
        return render(request, "accounts/telegram.html", context)
    if not telegram.enabled():
        messages.error(request, _("Telegram notifications are not set up on this Kurator."))
        return redirect("accounts:telegram")
    username = telegram.bot_username()
    if username is None:
        messages.error(request, _("Telegram cannot be reached right now. Try again in a few minutes."))
        return redirect("accounts:telegram")
    code = telegram.telegram_link_code_issue(person=request.user)  # type: ignore[arg-type]
    context.update(code=code, bot_username=username, link=telegram.start_link(username, code))
    response = render(request, "accounts/telegram.html", context)
    # The code links whoever uses it first: never keep it in a cache or the browser's history.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def telegram_unlink(request: HttpRequest) -> HttpResponse:
    try:
        telegram.telegram_unlink(person=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Telegram is unlinked: notifications no longer go there."))
    return redirect("accounts:telegram")
