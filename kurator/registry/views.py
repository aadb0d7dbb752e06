"""Placeholder views, replaced as the screens are built."""

from django.http import Http404, HttpRequest, HttpResponse



def pages_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def page_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def page_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def page_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def registry_export(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def registry_import(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def libraries_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def library_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def library_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def library_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def department_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def department_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def department_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
