"""The check-in app's pages on an organizer's site, under /checkin/."""

from django.urls import path

from checkin import app_views

urlpatterns = [
    path("", app_views.app_shell, name="checkin_app"),
    path("pair", app_views.app_shell, name="checkin_pair"),
    path("sw.js", app_views.service_worker, name="checkin_service_worker"),
    path("app.webmanifest", app_views.web_manifest, name="checkin_manifest"),
    path("icons/<int:size>.png", app_views.icon, name="checkin_icon"),
    path("supervisor/", app_views.supervisor, name="checkin_supervisor"),
]
