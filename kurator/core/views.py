"""Placeholder views, replaced as the screens are built."""

from django.http import Http404, HttpRequest, HttpResponse



def home(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def health(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def switch_network(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def notifications(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def notifications_read(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def set_language(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
