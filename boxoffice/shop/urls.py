from django.urls import path

from boxoffice.shop import views

urlpatterns = [
    path("", views.event_list, name="shop"),
    path("events/<slug:slug>/", views.event_page, name="shop_event"),
    path("orders/<str:code>/", views.order_page, name="order"),
    path("orders/<str:code>/tickets", views.order_tickets_page, name="order_tickets"),
    path("orders/<str:code>/event.ics", views.order_calendar_file, name="order_calendar"),
    path("orders/<str:code>/cancel", views.cancel_order, name="order_cancel"),
    path(
        "api/v1/events/<str:event_id>/availability/stream",
        views.stream_needs_asgi,
        name="availability_stream",
    ),
]
