"""A file kept between an import's preview and its confirmation: on disk under a random name (never the
person's), remembered in the session together with the network it was uploaded for, and swept when a
preview is left unconfirmed for a day. Used by every "upload → preview → confirm" import."""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class PendingUpload:
    prefix: str  # "registry", "dates": tells the kinds apart on disk
    suffix: str  # ".xlsx", ".bin"
    session_key: str

    def _directory(self) -> Path:
        directory = Path(settings.DATA_DIR) / "uploads"
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def _path(self, token: str) -> Path | None:
        return self._directory() / f"{self.prefix}-{token}{self.suffix}" if _TOKEN.match(token) else None

    def _sweep(self) -> None:
        limit = time.time() - MAX_AGE_SECONDS
        for stale in self._directory().glob(f"{self.prefix}-*{self.suffix}"):
            try:
                if stale.stat().st_mtime < limit:
                    stale.unlink()
            except FileNotFoundError:
                pass

    def keep(self, request: HttpRequest, network_id: int, data: bytes) -> None:
        self._sweep()
        token = secrets.token_urlsafe(24)
        path = self._path(token)
        assert path is not None
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        request.session[self.session_key] = {"token": token, "network": network_id}

    def kept(self, request: HttpRequest, network_id: int) -> bytes | None:
        kept = request.session.get(self.session_key) or {}
        path = self._path(str(kept.get("token", "")))
        if path is None or kept.get("network") != network_id:
            return None
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def discard(self, request: HttpRequest) -> None:
        kept = request.session.pop(self.session_key, None) or {}
        path = self._path(str(kept.get("token", "")))
        if path is not None:
            path.unlink(missing_ok=True)
