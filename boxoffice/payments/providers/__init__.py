"""The configured payment provider (settings.PAYMENT_PROVIDER)."""

from django.conf import settings
from django.http import HttpRequest

from boxoffice.payments.providers.base import PaymentProvider
from tenants.selectors import platform_url


def get_provider(name: str | None = None, *, request: HttpRequest | None = None) -> PaymentProvider:
    """`name` defaults to the configured provider; an order keeps the name it was paid with."""
    name = name or settings.PAYMENT_PROVIDER
    if name == "stripe":
        from boxoffice.payments.providers.stripe_provider import StripeProvider

        return StripeProvider()
    if name == "sandbox":
        from boxoffice.payments.providers.sandbox import SandboxProvider

        return SandboxProvider(platform_url=platform_url("/", request=request))
    raise ValueError(f"unknown payment provider {name!r}")
