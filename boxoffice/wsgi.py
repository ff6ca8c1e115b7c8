import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boxoffice.settings")

application = get_wsgi_application()

# Before the worker accepts connections, not on its first requests (see boxoffice/warmup.py).
from boxoffice.warmup import load_urlconfs  # noqa: E402

load_urlconfs()
