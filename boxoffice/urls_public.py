"""URLs of the platform site, `<BASE_DOMAIN>` itself."""

from django.urls import path

from boxoffice.api import platform_api
from tenants import views as tenant_views

urlpatterns = [
    path("api/platform/", platform_api.urls),
    path("signup/", tenant_views.sign_up, name="signup"),
    path("login/", tenant_views.log_in, name="login"),
    path("logout/", tenant_views.log_out, name="logout"),
    path("", tenant_views.platform_home, name="home"),
]

handler403 = "boxoffice.http_errors.forbidden"
handler404 = "boxoffice.http_errors.not_found"
handler500 = "boxoffice.http_errors.server_error"
