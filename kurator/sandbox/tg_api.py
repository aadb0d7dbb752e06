"""Placeholder: the Telegram-compatible Bot API (being written)."""

from django.http import HttpRequest, HttpResponse, JsonResponse


def method(request: HttpRequest, token: str, method: str) -> HttpResponse:
    return JsonResponse({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)


def file(request: HttpRequest, token: str, file_path: str) -> HttpResponse:
    return JsonResponse({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
