"""Placeholder views, replaced as the screens are built."""

from django.http import Http404, HttpRequest, HttpResponse



def people_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def person_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def person_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def person_edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def role_assign(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def role_end(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def absence_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def absences_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def internship_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def internship_complete(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def api_tokens(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def api_token_revoke(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def responsibility(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
