"""Placeholder: import and export of the page registry as XLSX (003 Appendix 1)."""

from django.http import Http404, HttpRequest, HttpResponse


def registry_export(request: HttpRequest) -> HttpResponse:
    raise Http404


def registry_import(request: HttpRequest) -> HttpResponse:
    raise Http404
