"""The embedded PostgreSQL: started when DATABASE_URL is unset, reused, stopped on exit."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROBE = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW server_version_num")
    version = int(cursor.fetchone()[0])
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (run int)")
    cursor.execute("INSERT INTO probe VALUES (1)")
    cursor.execute("SELECT count(*) FROM probe")
    runs = cursor.fetchone()[0]
print(json.dumps({"version": version, "runs": runs, "host": connection.settings_dict["HOST"]}))
"""


def run_probe(data_dir: Path, **env_overrides: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "PGHOST", "PGPORT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="boxoffice.settings",
        DEBUG="1",
        DATA_DIR=str(data_dir),
        **env_overrides,
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_postgres_starts_is_reused_and_stops(tmp_path):
    first = run_probe(tmp_path)
    pgdata = tmp_path / "postgres"
    assert first["version"] >= 180000
    assert (pgdata / "PG_VERSION").read_text().strip() == "18"
    assert first["runs"] == 1
    # The last process using it stopped it cleanly on exit.
    assert not (pgdata / "postmaster.pid").exists()

    second = run_probe(tmp_path)
    assert second["runs"] == 2  # same data directory, same database
    assert not (pgdata / "postmaster.pid").exists()


def test_database_url_means_nothing_is_embedded(tmp_path):
    # The test settings exported the test server's address (DATABASE_URL, maybe PGHOST/PGPORT).
    server = {
        key: os.environ[key] for key in ("DATABASE_URL", "PGHOST", "PGPORT") if key in os.environ
    }
    result = run_probe(tmp_path, **server)
    assert result["runs"] >= 1
    assert not (tmp_path / "postgres").exists()
