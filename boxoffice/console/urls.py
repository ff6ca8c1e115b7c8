"""The console at /console/ on an organizer's site."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from boxoffice.console import checkin_views, event_views, seatmap_views, views
from tenants.views import MemberPasswordResetView

app_name = "console"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("events/", event_views.event_list, name="events"),
    path("events/new/", event_views.event_new, name="event_new"),
    path("events/<str:event_id>/", event_views.event_detail, name="event"),
    path("events/<str:event_id>/edit/", event_views.event_edit, name="event_edit"),
    path("events/<str:event_id>/prices/", event_views.event_prices, name="event_prices"),
    path("events/<str:event_id>/seats/", event_views.event_seats, name="event_seats"),
    path("events/<str:event_id>/<str:action>/", event_views.event_status, name="event_status"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<str:code>/", views.order_detail, name="order"),
    path("orders/<str:code>/refund/", views.order_refund, name="order_refund"),
    path("orders/<str:code>/resend/", views.order_resend, name="order_resend"),
    path("seatmaps/", seatmap_views.seatmap_list, name="seatmaps"),
    path("seatmaps/new/", seatmap_views.seatmap_new, name="seatmap_new"),
    path("venues/new/", seatmap_views.venue_new, name="venue_new"),
    path("seatmaps/<str:map_id>/editor/", seatmap_views.editor, name="editor"),
    path("checkin/", checkin_views.checkin_home, name="checkin"),
    path("checkin/lists/<str:list_id>/", checkin_views.checkin_list, name="checkin_list"),
    path(
        "checkin/lists/<str:list_id>/scans/<str:scan_id>/override/",
        checkin_views.scan_override,
        name="scan_override",
    ),
    path(
        "checkin/devices/<str:device_id>/<str:action>/",
        checkin_views.device_action,
        name="device_action",
    ),
    path("team/", views.team, name="team"),
    path("team/<int:membership_id>/", views.team_member, name="team_member"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/", views.organizer_settings, name="settings"),
    path("settings/stripe/connect/", views.stripe_connect, name="stripe_connect"),
    path("settings/stripe/refresh/", views.stripe_refresh, name="stripe_refresh"),
    path("settings/stripe/return/", views.stripe_return, name="stripe_return"),
    # Password reset by email, on this organizer's host (links in the email point back here).
    path("password-reset/", MemberPasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="console/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="console/password_reset_confirm.html",
            success_url=reverse_lazy("console:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="console/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
