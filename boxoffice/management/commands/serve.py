import os
import signal
import subprocess
import sys
import time
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from boxoffice import embedded_db

SOURCE_DIRS = ["boxoffice", "tenants", "seatmaps", "checkin"]


class Command(BaseCommand):
    help = "Serve the web app (uvicorn, ASGI) and the job worker together until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.DEV_PORT)
        parser.add_argument("--no-reload", action="store_true", help="do not restart on edits")

    def handle(self, *args: object, **options: object) -> None:
        port = options["port"]
        web_command = [
            sys.executable, "-m", "uvicorn", "boxoffice.asgi:application",
            "--host", str(options["host"]), "--port", str(port),
        ]  # fmt: skip
        if not options["no_reload"]:
            for directory in SOURCE_DIRS:
                web_command += ["--reload", "--reload-dir", str(settings.BASE_DIR / directory)]
        # The children use this process's embedded database (if any) without holding it, so
        # the database stops when this command does, however the children end. Each child gets
        # its own session so that Ctrl-C reaches only this process, which then stops each child
        # with exactly one SIGTERM (django-q2 can hang when a second signal lands mid-shutdown).
        env = {**os.environ, **embedded_db.child_environment()}
        children = [
            subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, start_new_session=True)
            for command in ([sys.executable, "manage.py", "qcluster"], web_command)
        ]
        base = settings.BASE_DOMAIN
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Platform site:   http://{base}:{port}/\n"
                f"  Organizer site:  http://demo.{base}:{port}/  (console: /console/)\n"
                f"  API docs:        http://demo.{base}:{port}/api/v1/docs, "
                f"http://{base}:{port}/api/platform/docs\n"
                "  Ctrl-C stops the web app, the worker and the embedded database.\n"
            )
        )

        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # Whichever child ends first (or a signal) ends both.
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
