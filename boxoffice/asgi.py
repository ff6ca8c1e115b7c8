import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boxoffice.settings")

django_application = get_asgi_application()

# Imported once Django is set up. Availability streams are answered without Django's request
# cycle (no thread, no database connection per stream): see boxoffice/shop/stream.py.
from boxoffice.shop.stream import with_availability_streams  # noqa: E402

application = with_availability_streams(django_application)
