import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boxoffice.settings")

django_application = get_asgi_application()

# Imported once Django is set up. Availability streams are answered without Django's request
# cycle (no thread, no database connection per stream): see boxoffice/shop/stream.py.
from boxoffice.shop.stream import with_availability_streams  # noqa: E402
from boxoffice.warmup import load_urlconfs  # noqa: E402

# Before the worker accepts connections, not on its first requests (see boxoffice/warmup.py).
load_urlconfs()

application = with_availability_streams(django_application)
