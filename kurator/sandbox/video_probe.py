"""What both sandbox networks read from an uploaded video, as the real ones report it: the picture's width
and height and the duration in whole seconds, from an MP4's header boxes (moov/mvhd, trak/tkhd), and the
MIME type from the first bytes. The sandbox has no video library; where a file says nothing it can read
(a WebM, a truncated or made-up file), a plausible 640×360 picture of unknown length stands in."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

FALLBACK_WIDTH, FALLBACK_HEIGHT = 640, 360
CONTAINERS = {b"moov", b"trak"}


@dataclass(frozen=True)
class VideoInfo:
    """What the file says; None where it says nothing the sandbox can read."""

    mime_type: str
    width: int | None = None
    height: int | None = None
    duration: int | None = None  # seconds, rounded down as Telegram and VK give it

    def filled(self, *, width: int = 0, height: int = 0, duration: int = 0) -> tuple[int, int, int]:
        """Width, height and duration: the file's own, else the sender's word, else a stand-in."""
        if self.width and self.height:
            width, height = self.width, self.height
        elif not (width and height):
            width, height = FALLBACK_WIDTH, FALLBACK_HEIGHT
        return width, height, self.duration if self.duration is not None else duration


def mime_type_of(data: bytes, declared: str = "") -> str:
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    declared = (declared or "").split(";")[0].strip().lower()
    return declared if declared.startswith("video/") else "video/mp4"


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box between start and end."""
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        header = 8
        if size == 1 and at + 16 <= end:
            (size,) = struct.unpack(">Q", data[at + 8 : at + 16])
            header = 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            return
        yield kind, at + header, at + size
        at += size


def _duration(data: bytes, start: int, end: int) -> int | None:
    """mvhd: version 0 has 32-bit times, version 1 64-bit ones; the duration is in timescale units."""
    version = data[start] if start < end else 0
    try:
        if version == 1:
            timescale, duration = struct.unpack(">IQ", data[start + 20 : start + 32])
        else:
            timescale, duration = struct.unpack(">II", data[start + 12 : start + 20])
    except struct.error:
        return None
    return duration // timescale if timescale else None


def _track_size(start: int, end: int, data: bytes) -> tuple[int, int] | None:
    """tkhd ends with the track's width and height as 16.16 fixed-point numbers (zero for sound)."""
    if end - start < 8:
        return None
    width, height = struct.unpack(">II", data[end - 8 : end])
    return (width >> 16, height >> 16) if width and height else None


def _mp4(data: bytes) -> tuple[int | None, tuple[int, int] | None]:
    duration, size = None, None
    pending = [(0, len(data))]
    while pending:
        start, end = pending.pop()
        for kind, body, stop in _boxes(data, start, end):
            if kind in CONTAINERS:
                pending.append((body, stop))
            elif kind == b"mvhd" and duration is None:
                duration = _duration(data, body, stop)
            elif kind == b"tkhd" and size is None:
                size = _track_size(body, stop, data)
    return duration, size


def probe(data: bytes, declared_type: str = "") -> VideoInfo:
    mime_type = mime_type_of(data, declared_type)
    duration, size = _mp4(data) if mime_type == "video/mp4" else (None, None)
    width, height = size or (None, None)
    return VideoInfo(mime_type=mime_type, width=width, height=height, duration=duration)
