"""Databases for groups of real processes.

Worker processes cannot see a test's transaction, and on SQLite the suite's test database lives in the
memory of the pytest process, so every group of processes gets a database of its own: a copy of the
migrated test database for the fault tests (SQLite's backup API; PostgreSQL's CREATE DATABASE …
TEMPLATE), a new migrated one for a benchmark. The controlling process reaches it through `attached`,
which points Django's connection at it for as long as the processes run."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connections, router

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Database:
    """One database the processes share: `name` is the SQLite file's path or PostgreSQL's database name."""

    vendor: str  # "sqlite" or "postgresql", as Django's connection.vendor says
    name: str
    server: tuple[str, str, str, str] = ("", "", "", "")  # PostgreSQL: host, port, user, password

    @property
    def url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.name}"
        host, port, user, password = self.server
        auth = quote(user) + (f":{quote(password)}" if password else "")
        return f"postgres://{auth}@{host or '127.0.0.1'}:{port or 5432}/{self.name}"


def _server_of(settings_dict: dict[str, Any]) -> tuple[str, str, str, str]:
    return (
        str(settings_dict.get("HOST") or ""),
        str(settings_dict.get("PORT") or ""),
        str(settings_dict.get("USER") or ""),
        str(settings_dict.get("PASSWORD") or ""),
    )


def _maintenance(server: tuple[str, str, str, str], *statements: str) -> None:
    """Run statements on the server's `postgres` database, outside any transaction (CREATE/DROP DATABASE)."""
    import psycopg

    host, port, user, password = server
    with psycopg.connect(
        host=host or "127.0.0.1", port=port or 5432, user=user, password=password or None, dbname="postgres"
    ) as maintenance:
        maintenance.autocommit = True
        for statement in statements:
            maintenance.execute(statement)  # type: ignore[arg-type]


def copy_of_current(directory: Path, label: str = "kurator") -> Database:
    """A copy of the database the default connection uses now (in tests: the migrated, empty test database)."""
    connection = connections["default"]
    if connection.vendor == "sqlite":
        target = directory / f"{label}.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode=WAL")
        return Database("sqlite", str(target))
    if connection.vendor != "postgresql":
        raise RuntimeError(f"No copies of {connection.vendor} databases")
    source = connection.settings_dict["NAME"]
    connection.close()  # a template must have no other sessions
    name = f"{source}_{label}_{uuid.uuid4().hex[:8]}"
    _maintenance(_server_of(connection.settings_dict), f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return Database("postgresql", name, _server_of(connection.settings_dict))


def copy_of(database: Database, directory: Path, label: str) -> Database:
    """A copy of a database that nobody is connected to (after `migrated`)."""
    if database.vendor == "sqlite":
        target = directory / f"{label}.sqlite3"
        with sqlite3.connect(database.name) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return Database("sqlite", str(target))
    name = f"{database.name}_{label}"
    _maintenance(database.server, f'CREATE DATABASE "{name}" TEMPLATE "{database.name}"')
    return Database("postgresql", name, database.server)


def migrated(
    vendor: str, *, directory: Path, name: str, server: tuple[str, str, str, str] = ("", "", "", "")
) -> Database:
    """A new database with every migration and the cache table (`manage.py prepare` in a child process)."""
    if vendor == "sqlite":
        database = Database("sqlite", str(directory / f"{name}.sqlite3"))
    else:
        database = Database("postgresql", name, server)
        _maintenance(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    env = {"DATABASE_URL": database.url, "KURATOR_DATA_DIR": str(directory), "KURATOR_DEBUG": "0"}
    subprocess.run(
        [sys.executable, "manage.py", "prepare"],
        cwd=ROOT,
        env={**base_environment(), **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return database


def drop(database: Database) -> None:
    if database.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(database.name + suffix).unlink(missing_ok=True)
        return
    # FORCE: a worker killed on purpose may still hold a session the server has not noticed yet.
    _maintenance(database.server, f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


def base_environment() -> dict[str, str]:
    """This process's environment without Kurator's own settings, which each child is given explicitly."""
    return {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "KURATOR_"))}


class SandboxOnItsOwnDatabase:
    """Sends the sandbox app's models to the "sandbox" alias: the controlling process of a benchmark seeds
    the sandbox and reads its ledger there, while the sandbox server uses it as its only database."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return "sandbox" if model._meta.app_label == "sandbox" else None  # type: ignore[attr-defined]

    db_for_write = db_for_read

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return None


@contextmanager
def attached(database: Database | None, *, sandbox: Database | None = None) -> Iterator[None]:
    """Point this process's default connection at `database` (None: leave it), and the sandbox's models at
    `sandbox` when the sandbox has a database of its own. Threads started inside connect there too."""
    saved_settings = dict(connections.settings)
    saved_default = connections["default"]
    saved_routers = router.__dict__.get("routers")
    added: list[str] = []
    try:
        for alias, target in (("default", database), ("sandbox", sandbox)):
            if target is None:
                continue
            settings_dict = {**saved_settings["default"], "NAME": target.name}
            if target.vendor == "postgresql":
                host, port, user, password = target.server
                settings_dict.update(HOST=host, PORT=port, USER=user, PASSWORD=password)
            connections.settings[alias] = settings_dict
            connections[alias] = type(saved_default)(settings_dict, alias)
            added.append(alias)
        if sandbox is not None:
            router.routers = [SandboxOnItsOwnDatabase(), *router.routers]
        yield
    finally:
        for alias in added:
            connections[alias].close()
        connections.settings.clear()
        connections.settings.update(saved_settings)
        connections["default"] = saved_default
        if "sandbox" in added:
            del connections["sandbox"]
        if saved_routers is None:
            router.__dict__.pop("routers", None)
        else:
            router.routers = saved_routers
