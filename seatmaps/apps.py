from django.apps import AppConfig


class SeatmapsConfig(AppConfig):
    name = "seatmaps"
    verbose_name = "Venues and seat maps"
