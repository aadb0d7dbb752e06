"""Placeholder: the working-calendar screens (overrides of the production calendar)."""

from django.http import Http404, HttpRequest, HttpResponse


def calendar_overrides(request: HttpRequest) -> HttpResponse:
    raise Http404


def calendar_override_delete(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
