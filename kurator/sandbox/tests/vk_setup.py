"""A small sandbox VK world for the VK tests: one community with an administrator's user token and a
community token, a second community the administrator does not manage, and two readers."""

from __future__ import annotations

import json
import struct
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kurator.sandbox.choices import VkTokenKind
from kurator.sandbox.models import Reader, VkCommunity, VkToken

ADMIN_VK_ID = 500100
# A 2×3 PNG: enough for the upload server to read its size.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000020000000308060000009d74665a0000001549444154789c63f8cfc0f01f0c"
    "18606060000031fb07f9cbc0b2f30000000049454e44ae426082"
)

UNITY_MATRIX = struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def tiny_mp4(width: int = 320, height: int = 240, seconds: int = 3) -> bytes:
    """An MP4 of a few hundred bytes with what a player (and the sandbox) reads first and nothing else:
    the file type, the movie header (its length) and one video track's header (its picture size). No
    frames: enough for Kurator's content check (an "ftyp" box) and for the networks to describe it."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mvhd = _box(
        b"mvhd",
        bytes(12)  # version 0, flags, creation and modification times
        + struct.pack(">II", 1000, seconds * 1000)  # timescale, duration
        + struct.pack(">IH", 0x00010000, 0x0100)  # rate 1.0, volume 1.0
        + bytes(10)
        + UNITY_MATRIX
        + bytes(24)
        + struct.pack(">I", 2),  # next track id
    )
    tkhd = _box(
        b"tkhd",
        struct.pack(">I", 3)  # version 0, flags: enabled, in movie
        + bytes(8)
        + struct.pack(">I", 1)  # track id
        + bytes(4)
        + struct.pack(">I", seconds * 1000)
        + bytes(16)  # reserved, layer, alternate group, volume (0: no sound), reserved
        + UNITY_MATRIX
        + struct.pack(">II", width << 16, height << 16),
    )
    return ftyp + _box(b"moov", mvhd + _box(b"trak", tkhd))


MP4 = tiny_mp4()


@dataclass
class VkWorld:
    community: VkCommunity
    other: VkCommunity
    user_token: VkToken
    community_token: VkToken
    reader: Reader
    second_reader: Reader

    @property
    def owner_id(self) -> int:
        return self.community.owner_id


def make_vk_world() -> VkWorld:
    community = VkCommunity.objects.create(group_id=7001, name="Библиотека имени Гайдара", screen_name="gaidar_lib")
    other = VkCommunity.objects.create(group_id=7002, name="Соседняя библиотека", screen_name="other_lib")
    user_token = VkToken.objects.create(
        token="vk1.a.user-admin-token", kind=VkTokenKind.USER, user_id=ADMIN_VK_ID, label="admin"
    )
    user_token.admin_of.add(community)
    community_token = VkToken.objects.create(
        token="vk1.a.community-token", kind=VkTokenKind.COMMUNITY, community=community, label="community"
    )
    reader = Reader.objects.create(name="Анна Читалкина", vk_id=800001, tg_id=900001)
    second_reader = Reader.objects.create(name="Борис Книжкин", vk_id=800002, tg_id=900002)
    return VkWorld(community, other, user_token, community_token, reader, second_reader)


class CallbackServer:
    """A callback server on 127.0.0.1 that records what it is sent and answers a chosen text."""

    def __init__(self, answer: str = "ok") -> None:
        self.answer = answer
        self.received: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(json.loads(body))
                data = outer.answer.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/vk-callback"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
