"""Test settings: the real settings, on a throwaway embedded PostgreSQL unless DATABASE_URL is set.

Subprocesses started by tests inherit the environment set here, so they reach the same server.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "1")  # dev defaults for keys; pytest-django still runs DEBUG off
# Tests keep their counters in the transactional database cache, never in a shared Redis.
os.environ.pop("REDIS_URL", None)

if not os.environ.get("DATABASE_URL"):
    from boxoffice import embedded_db

    # The fresh directory itself is the data directory, so deleting it on exit leaves nothing.
    embedded_db.start(Path(tempfile.mkdtemp(prefix="boxoffice-test-")), keep_data=False)
    os.environ.update(embedded_db.child_environment())

from boxoffice.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
