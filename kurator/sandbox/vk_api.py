"""Placeholder: the VK-compatible API (being written)."""

from django.http import HttpRequest, HttpResponse, JsonResponse


def method(request: HttpRequest, method: str) -> HttpResponse:
    return JsonResponse({"error": {"error_code": 3, "error_msg": "Unknown method passed.", "request_params": []}})


def upload(request: HttpRequest, key: str) -> HttpResponse:
    return JsonResponse({"error": "not ready"}, status=404)


def longpoll(request: HttpRequest, group_id: int) -> HttpResponse:
    return JsonResponse({"failed": 2})
