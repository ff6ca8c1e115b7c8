"""URLs of the platform site, `<BASE_DOMAIN>` itself."""

from django.urls import path

from boxoffice.api import platform_api
from boxoffice.payments import views as payment_views
from tenants import views as tenant_views

urlpatterns = [
    path("api/platform/", platform_api.urls),
    path("webhooks/stripe", payment_views.stripe_webhook, name="stripe_webhook"),
    path(
        "sandbox/checkout/<str:session_id>",
        payment_views.sandbox_checkout,
        name="sandbox_checkout",
    ),
    path("signup/", tenant_views.sign_up, name="signup"),
    path("login/", tenant_views.log_in, name="login"),
    path("logout/", tenant_views.log_out, name="logout"),
    path("organizers/<slug:slug>/console/", tenant_views.open_console, name="open_console"),
    path("", tenant_views.platform_home, name="home"),
]

handler403 = "boxoffice.http_errors.forbidden"
handler404 = "boxoffice.http_errors.not_found"
handler500 = "boxoffice.http_errors.server_error"
