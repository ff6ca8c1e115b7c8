"""URLs of an organizer's site, `<slug>.<BASE_DOMAIN>`."""

from django.urls import include, path

from boxoffice.api import api_v1
from tenants import views as tenant_views

urlpatterns = [
    # The availability stream's path answers here only under WSGI (see boxoffice/shop/stream.py).
    path("", include("boxoffice.shop.urls")),
    path("api/v1/", api_v1.urls),
    path("login/", tenant_views.log_in, name="login"),
    path("login/continue/", tenant_views.continue_sign_in, name="login_continue"),
    path("logout/", tenant_views.log_out, name="logout"),
    path("console/", include("boxoffice.console.urls")),
    path("checkin/", include("checkin.app_urls")),
]

handler403 = "boxoffice.http_errors.forbidden"
handler404 = "boxoffice.http_errors.not_found"
handler500 = "boxoffice.http_errors.server_error"
