from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "boxoffice.shop"
    label = "shop"
    verbose_name = "Customer shop and live availability"
