"""Production settings pass `check --deploy`; missing secrets refuse to start."""

import base64
import os
import secrets
import subprocess
import sys

from django.conf import settings


def manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "boxoffice.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env() -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SIGNING_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "BASE_DOMAIN": "tickets.example.com",
    }


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_secrets():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr

    env = production_env()
    env["SIGNING_MASTER_KEY"] = base64.b64encode(b"too short").decode()
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SIGNING_MASTER_KEY must be 32 bytes" in result.stderr


def test_stripe_provider_needs_its_keys():
    result = manage("check", **production_env(), PAYMENT_PROVIDER="stripe")
    assert result.returncode != 0
    assert "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET" in result.stderr


def test_passwords_are_hashed_with_argon2():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
