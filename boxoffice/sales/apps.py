from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "boxoffice.sales"
    label = "sales"
    verbose_name = "Holds and orders"
