from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "boxoffice.payments"
    label = "payments"
    verbose_name = "Payments"
