"""The production files in infra/ agree with the code: no Docker engine is needed to check these.

The compose file is read as text (PyYAML is no dependency); its layout (two-space indents, one
shared `x-app-env` block) is part of what these tests pin.
"""

import base64
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from gunicorn.config import Config
from gunicorn.util import load_class

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
GUNICORN_CONF = INFRA / "gunicorn.conf.py"
SETTINGS_SOURCE = (ROOT / "boxoffice" / "settings.py").read_text()
COMPOSE = (INFRA / "compose.yaml").read_text()
DOCKERFILE = (INFRA / "Dockerfile").read_text()

APP_SERVICES = ("migrate", "web", "worker")
# Read by settings.py but deliberately absent from compose: development-only knobs.
NOT_FOR_PRODUCTION = {
    "PORT",  # the port `make run` serves on and prints in links
    "DATA_DIR",  # local state: the embedded database (unused with DATABASE_URL), the demo password
}


# --- helpers: just enough parsing for these two files ------------------------------------------


def settings_variables() -> set[str]:
    reads = r"env\.(?:str|bool|int|float|db_url|email_url)\(\s*\"([A-Z][A-Z0-9_]*)\""
    return set(re.findall(reads, SETTINGS_SOURCE))


def settings_variables_defaulting_to_empty() -> set[str]:
    return set(
        re.findall(r"env\.str\(\s*\"([A-Z][A-Z0-9_]*)\",\s*default=\"\"\s*\)", SETTINGS_SOURCE)
    )


def yaml_block(text: str, header: str, indent: int) -> str:
    """The lines under `header` (a key at `indent`) up to the next key at that indent or less."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip() == header)
    block = []
    for line in lines[start + 1 :]:
        stripped = line.lstrip()
        if stripped and not stripped.startswith("#") and len(line) - len(stripped) <= indent:
            break
        block.append(line)
    return "\n".join(block)


def compose_service(name: str) -> str:
    return yaml_block(yaml_block(COMPOSE, "services:", 0), f"  {name}:", 2)


def compose_app_env() -> dict[str, str]:
    block = yaml_block(COMPOSE, "x-app-env: &app-env", 0)
    return {
        match[1]: match[2].strip()
        for match in re.finditer(r"^  ([A-Z][A-Z0-9_]*):(.*)$", block, re.MULTILINE)
    }


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, arguments = pending.strip().partition(" ")
        instructions.append((keyword.upper(), " ".join(arguments.split())))
        pending = ""
    return instructions


def collectstatic_step() -> str:
    (step,) = [args for kind, args in dockerfile_instructions() if "collectstatic" in args]
    return step


def production_env(**extra: str) -> dict[str, str]:
    """A clean environment like a container's: nothing from the test run but PATH."""
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "boxoffice.settings",
        "DEBUG": "0",
        "SECRET_KEY": "test-only-production-like-secret-key-0123456789abcdef",
        "SIGNING_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        **extra,
    }


# --- gunicorn ----------------------------------------------------------------------------------


def load_gunicorn_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    for name in ("PORT", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "LOG_LEVEL", "WEB_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace = runpy.run_path(str(GUNICORN_CONF))
    return {
        name: value
        for name, value in namespace.items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }


def test_gunicorn_config_names_only_real_settings(monkeypatch):
    # gunicorn silently ignores unknown names in a config file, so a typo would go unnoticed.
    settings = load_gunicorn_settings(monkeypatch)
    assert set(settings) <= set(Config().settings)


def test_gunicorn_serves_the_wsgi_app_with_threaded_workers(monkeypatch):
    # Threaded WSGI workers bound database connections to workers x threads (see the config's
    # docstring for why not uvicorn workers yet).
    settings = load_gunicorn_settings(monkeypatch)
    assert settings["wsgi_app"] == "boxoffice.wsgi:application"
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] == 2
    load_class(settings["worker_class"])  # importable with the locked dependencies
    assert settings["bind"] == ["0.0.0.0:8000"]
    assert settings["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert settings["accesslog"] is None  # the TLS proxy in front logs requests
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_gunicorn_takes_port_workers_proxy_and_access_log_from_the_environment(monkeypatch):
    settings = load_gunicorn_settings(
        monkeypatch,
        PORT="9123",
        WEB_CONCURRENCY="3",
        FORWARDED_ALLOW_IPS="10.0.0.0/8",
        WEB_ACCESS_LOG="1",
    )
    assert settings["accesslog"] == "-"
    assert settings["bind"] == ["0.0.0.0:9123"]
    assert settings["workers"] == 3
    assert settings["forwarded_allow_ips"] == "10.0.0.0/8"


def test_gunicorn_check_config_loads_the_app_with_production_settings():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [gunicorn, "--check-config", "-c", str(GUNICORN_CONF)],
        cwd=ROOT,
        env=production_env(DATABASE_URL=os.environ["DATABASE_URL"]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_web_worker_loads_its_urlconfs_before_serving():
    """Importing the WSGI or ASGI application (what a gunicorn worker does before it accepts
    connections) has imported every view and built the URL resolvers: the first customers do not
    wait ~1.6 s for them."""
    probe = (
        "import sys; from django.urls import get_resolver; import boxoffice.{module}; "
        "from django.conf import settings; "
        "print('boxoffice.sales.api' in sys.modules, "
        "get_resolver(settings.ROOT_URLCONF)._populated, "
        "get_resolver(settings.PUBLIC_SCHEMA_URLCONF)._populated)"
    )
    for module in ("wsgi", "asgi"):
        result = subprocess.run(
            [sys.executable, "-c", probe.format(module=module)],
            cwd=ROOT,
            env=production_env(DATABASE_URL=os.environ["DATABASE_URL"]),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.stdout.split() == ["True", "True", "True"], result.stdout + result.stderr


# --- compose -----------------------------------------------------------------------------------


def test_settings_variables_are_found():
    assert {"SECRET_KEY", "SIGNING_MASTER_KEY", "DATABASE_URL", "EMAIL_URL"} <= settings_variables()


def test_compose_env_has_exactly_the_settings_variables():
    in_compose = set(compose_app_env())
    assert settings_variables() - NOT_FOR_PRODUCTION - in_compose == set(), "missing in compose"
    assert in_compose - settings_variables() == set(), "compose sets what settings never read"


def test_compose_requires_the_secrets_and_runs_with_debug_off():
    env = compose_app_env()
    assert env["DEBUG"] == '"0"'
    for name in ("SECRET_KEY", "SIGNING_MASTER_KEY"):
        assert env[name].startswith(f"${{{name}:?"), f"{name} must be required"
    assert re.fullmatch(r"postgres://boxoffice:.+@postgres:5432/boxoffice", env["DATABASE_URL"])
    assert env["REDIS_URL"].startswith("redis://redis:6379")


def test_compose_never_hands_settings_an_empty_value():
    # An empty variable is not an unset one: django-environ reads "" for NUM_PROXIES or
    # EMAIL_URL and fails, or turns SECURE_SSL_REDIRECT off. A name without a value is fine:
    # compose leaves it unset unless the host sets it.
    may_be_empty = settings_variables_defaulting_to_empty()
    for name, value in compose_app_env().items():
        if name in may_be_empty or value == "":
            continue
        for reference in re.findall(r"\$\{[^}]*\}", value):
            assert re.fullmatch(r"\$\{\w+(:\?.*|:-.+)\}", reference), f"{name}: {reference}"


def test_app_services_share_the_image_and_the_env_block():
    app = yaml_block(COMPOSE, "x-app: &app", 0)
    assert re.search(r"^    context: \.\.$", app, re.MULTILINE), "build context: the repo root"
    assert re.search(r"^    dockerfile: infra/Dockerfile$", app, re.MULTILINE)
    for name in APP_SERVICES:
        service = compose_service(name)
        assert "<<: *app\n" in service + "\n", name
        assert re.search(r"environment: \*app-env$|<<: \*app-env$", service, re.MULTILINE), name


def test_compose_process_model():
    migrate = compose_service("migrate")
    assert "migrate_schemas" in migrate
    assert "createcachetable" in migrate
    assert 'restart: "no"' in migrate
    assert "infra/gunicorn.conf.py" in compose_service("web")
    assert '"manage.py", "qcluster"' in compose_service("worker")
    for name in ("web", "worker"):
        service = compose_service(name)
        assert re.search(r"migrate:\s+condition: service_completed_successfully", service), name
        assert re.search(r"postgres:\s+condition: service_healthy", service), name


def test_web_healthcheck_asks_the_platform_site():
    healthcheck = yaml_block(compose_service("web"), "    healthcheck:", 4)
    assert "/healthz" in healthcheck
    assert '"Host": os.environ["BASE_DOMAIN"]' in healthcheck
    assert "$" not in healthcheck  # compose would interpolate it


def test_postgres_18_volume_at_the_parent_of_its_data_directory():
    postgres = compose_service("postgres")
    assert "image: postgres:18" in postgres
    # 18's image refuses to start with a volume at the old /var/lib/postgresql/data.
    assert re.search(r"- [\w-]+:/var/lib/postgresql$", postgres, re.MULTILINE)
    assert "pg_isready" in postgres


# --- Dockerfile --------------------------------------------------------------------------------


def test_dockerfile_installs_exactly_the_lock_without_dev_tools():
    assert re.search(r"\buv sync\b[^\n]*--locked", DOCKERFILE)
    assert re.search(r"\buv sync\b[^\n]*--no-dev", DOCKERFILE)
    assert "UV_PYTHON_DOWNLOADS=never" in DOCKERFILE
    assert not re.search(r"playwright\s+install", DOCKERFILE, re.IGNORECASE)
    for kind, args in dockerfile_instructions():
        if kind == "COPY" and "--from" not in args:
            for source in args.split()[:-1]:
                assert source == "." or (ROOT / source).exists(), source


def test_dockerfile_stages_share_one_python_base():
    # The venv copied between stages points at the base image's interpreter.
    bases = [args.split()[0] for kind, args in dockerfile_instructions() if kind == "FROM"]
    assert len(set(bases)) == 1
    assert re.fullmatch(r"python:3\.1[1-9]-slim", bases[0])


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    instructions = dockerfile_instructions()
    users = [args for kind, args in instructions if kind == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert instructions[-1] == ("CMD", '["gunicorn", "-c", "infra/gunicorn.conf.py"]')


def test_dockerfile_build_keys_stay_in_the_collectstatic_step():
    step = collectstatic_step()
    for name in ("DEBUG=0", "SECRET_KEY=", "SIGNING_MASTER_KEY=", "DATABASE_URL="):
        assert name in step
    for kind, args in dockerfile_instructions():
        if kind in ("ENV", "ARG"):
            assert "SECRET_KEY" not in args
            assert "DATABASE_URL" not in args


def test_collectstatic_runs_with_the_dockerfile_build_environment(tmp_path):
    """The build step's own variables suffice, and nothing connects to a database (the URL
    points at a closed port)."""
    assignments = dict(re.findall(r"(\w+)=(\S+)", collectstatic_step().split("python")[0]))
    static_root = tmp_path / "static"
    (tmp_path / "build_settings.py").write_text(
        f"from boxoffice.settings import *  # noqa: F403\nSTATIC_ROOT = {str(static_root)!r}\n"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "build_settings",
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
        **assignments,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (static_root / "staticfiles.json").exists()


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".uv", ".data", "node_modules", "tests/artifacts", ".env"} <= ignored
