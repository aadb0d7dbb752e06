"""Placeholder: personal API tokens."""

from django.http import Http404, HttpRequest, HttpResponse


def api_tokens(request: HttpRequest) -> HttpResponse:
    raise Http404


def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
