"""The sandbox VK's HTTP face: /sandbox/vk/method/<name> (API 5.199), the photo and video upload server and the
Bots Long Poll server. Views only read the request and write VK's envelope; the behaviour is in
vk_service.py. Injected faults (faults.py) are applied here, at the start of each call, because most
of them are about the wire: delays, 5xx answers, dropped connections, answers that never come."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from kurator.sandbox import vk_service
from kurator.sandbox.choices import FaultKind, Network
from kurator.sandbox.connection import reset_connection
from kurator.sandbox.faults import ActiveFault, faults_for
from kurator.sandbox.vk_service import Call, VkError

DEFAULT_TIMEOUT_S = 30.0


def merged_params(request: HttpRequest) -> dict[str, str]:
    """Query string and form / multipart body together, as VK reads them (networks.md §1.1). A JSON
    body is not read at all: VK ignores it, so its parameters are simply missing."""
    params = request.GET.dict()
    if request.method == "POST" and not (request.content_type or "").startswith("application/json"):
        params.update(request.POST.dict())
    return params


def token_of(request: HttpRequest, params: dict[str, str]) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return params.get("access_token", "").strip()


def request_params_echo(method: str, params: dict[str, str]) -> list[dict[str, str]]:
    """VK's request_params: method, oauth, v, then the other parameters; never the token."""
    echo = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
    if "v" in params:
        echo.append({"key": "v", "value": params["v"]})
    hidden = {"access_token", "v", "method", "oauth"}
    echo.extend({"key": key, "value": value} for key, value in params.items() if key not in hidden)
    return echo


def vk_json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data,
        status=status,
        safe=False,
        content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


def error_response(error: VkError, method: str, params: dict[str, str]) -> JsonResponse:
    body: dict[str, Any] = {"error_code": error.code, "error_msg": error.message, **error.extra}
    body["request_params"] = request_params_echo(method, params)
    return vk_json({"error": body})


class DropConnection(Exception):
    """Raised inside a call when an injected fault wants the connection reset without an answer."""


class FaultOutcome:
    """What the injected faults ask of this call, beyond the ones applied on the spot."""

    def __init__(self) -> None:
        self.respond_now: HttpResponse | None = None
        self.error: VkError | None = None
        self.drop: bool = False
        self.answer_after: float | None = None


def fault_number(fault: ActiveFault, name: str, default: float) -> float:
    """A fault's numeric parameter; a value typed wrongly on the faults page falls back to the default."""
    try:
        return float(fault.params.get(name, default))
    except (TypeError, ValueError):
        return default


def apply_faults(faults: list[ActiveFault], *, raw_token: str, place: str) -> FaultOutcome:
    outcome = FaultOutcome()
    for fault in faults:
        if fault.kind == FaultKind.LATENCY:
            time.sleep(fault_number(fault, "latency_ms", 1000) / 1000)
        elif fault.kind == FaultKind.CONNECTION_RESET:
            outcome.drop = True
        elif fault.kind == FaultKind.SERVER_ERROR and outcome.respond_now is None:
            status = int(fault_number(fault, "status", 500))
            outcome.respond_now = HttpResponse(
                f"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>",
                status=status,
                content_type="text/html",
            )
        elif fault.kind == FaultKind.RATE_LIMIT and outcome.error is None:
            outcome.error = VkError(6, "Too many requests per second")
        elif fault.kind == FaultKind.CAPTCHA and outcome.error is None:
            sid = str(secrets.randbelow(10**12))
            outcome.error = VkError(
                14, "Captcha needed", captcha_sid=sid, captcha_img=f"https://api.vk.ru/captcha.php?sid={sid}&s=1"
            )
        elif fault.kind == FaultKind.REVOKE_TOKEN:
            vk_service.revoke_token(raw_token)
        elif fault.kind == FaultKind.LOSE_ADMIN:
            vk_service.remove_admin_rights(raw_token, place)
        elif fault.kind == FaultKind.ACCEPT_THEN_TIMEOUT:
            outcome.answer_after = fault_number(fault, "timeout_s", DEFAULT_TIMEOUT_S)
    return outcome


def site_of(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def call_method(request: HttpRequest, method: str, params: dict[str, str]) -> tuple[Any, float | None]:
    """Run one API method: faults, token, token kind, rate limit, then the method itself. Returns the
    result and, for "accept then time out", how long to hold the answer back."""
    spec = vk_service.METHODS.get(method)
    if spec is None:
        raise VkError(3, "Unknown method passed.")
    raw_token = token_of(request, params)
    place = vk_service.fault_place(params, raw_token)
    outcome = apply_faults(
        faults_for(network=Network.VK, token=raw_token, place=place, method=method), raw_token=raw_token, place=place
    )
    if outcome.drop:
        raise DropConnection(method)
    if outcome.respond_now is not None:
        raise ServerFault(outcome.respond_now)
    if outcome.error is not None:
        raise outcome.error
    token = vk_service.authorize(raw_token)
    vk_service.check_token_kind(token, spec.token_kinds)
    vk_service.check_rate_limit(token)
    return spec.handler(Call(token=token, params=params, site=site_of(request))), outcome.answer_after


class ServerFault(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


@csrf_exempt
def method(request: HttpRequest, method: str) -> HttpResponse:
    params = merged_params(request)
    try:
        result, answer_after = call_method(request, method, params)
    except VkError as error:
        return error_response(error, method, params)
    except ServerFault as fault:
        return fault.response
    except DropConnection:
        return reset_connection(request)  # raises ConnectionReset where no socket is at hand (the test client)
    if answer_after:
        # The write is done and ledgered; the client with a shorter timeout gives up and never learns it.
        time.sleep(answer_after)
    return vk_json({"response": result})


def uploaded_photo(request: HttpRequest) -> Any:
    """VK documents the field "photo"; vk_api's VkUpload sends "file0", which VK accepts too."""
    if request.method != "POST":
        return None
    for name in ("photo", "file", "file0", "file1"):
        if name in request.FILES:
            return request.FILES[name]
    return next(iter(request.FILES.values()), None)


def uploaded_video(request: HttpRequest) -> Any:
    """VK documents the field "video_file"; any single file part is taken."""
    if request.method != "POST":
        return None
    return request.FILES.get("video_file") or next(iter(request.FILES.values()), None)


@csrf_exempt
def upload(request: HttpRequest, key: str) -> HttpResponse:
    """The upload server photos.getWallUploadServer and video.save point at: multipart field "photo"
    for a photo, "video_file" for a video."""
    for_video = vk_service.video_for_upload_key(key)
    if for_video is not None:
        video, actor = for_video
        uploaded = uploaded_video(request)
        if uploaded is None:
            return vk_json({"error": "invalid file"})
        return vk_json(vk_service.accept_video_upload(video, uploaded, actor=actor))
    community = vk_service.community_for_upload_key(key)
    if community is None:
        return vk_json({"error": "ERR_UPLOAD_BAD_URL: upload url is invalid or expired"})
    uploaded = uploaded_photo(request)
    if uploaded is None:
        return vk_json({"server": 1, "photo": "[]", "hash": ""})
    return vk_json(vk_service.accept_upload(community, uploaded))


@csrf_exempt
def longpoll(request: HttpRequest, group_id: int) -> HttpResponse:
    """The Bots Long Poll server: ?act=a_check&key=…&ts=…&wait=…"""
    params = merged_params(request)
    try:
        wait = float(params.get("wait", "25"))
    except ValueError:
        wait = 25.0
    if params.get("act", "a_check") != "a_check":
        return vk_json({"failed": 2})
    answer = vk_service.long_poll_check(group_id, key=params.get("key", ""), ts=params.get("ts", ""), wait=wait)
    return HttpResponse(json.dumps(answer, ensure_ascii=False), content_type="application/json; charset=utf-8")
