from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "boxoffice.tickets"
    label = "tickets"
    verbose_name = "Tickets"
