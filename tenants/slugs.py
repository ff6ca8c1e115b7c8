"""Organizer slugs become DNS labels (`<slug>.<BASE_DOMAIN>`) and schema names (`org_<slug>`)."""

import re

from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Invalid
from tenants.error_codes import ErrorCode

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
MIN_LENGTH = 3

# Names a customer could mistake for the platform, or that we may want for our own hosts.
RESERVED_SLUGS = frozenset(
    {
        "www", "api", "admin", "public", "static", "media", "app", "apps", "checkin", "console",
        "dashboard", "mail", "email", "smtp", "imap", "ftp", "ns1", "ns2", "dns", "cdn", "assets",
        "status", "help", "support", "docs", "blog", "billing", "pay", "payments", "checkout",
        "stripe", "webhooks", "auth", "login", "signup", "account", "accounts", "root", "system",
        "platform", "boxoffice", "localhost", "test", "staging", "dev", "demo-admin", "internal",
        "health", "healthz", "security",
    }
)  # fmt: skip


def validate_slug(slug: str) -> str:
    """Return the slug if it may name a new organizer, else raise Invalid saying why."""
    if not isinstance(slug, str) or not slug:
        raise Invalid("Choose a short name for your site address.", code=KernelCode.INVALID_SLUG)
    if len(slug) < MIN_LENGTH or len(slug) > 40:
        raise Invalid(
            f"The site name must be {MIN_LENGTH} to 40 characters long.",
            code=KernelCode.INVALID_SLUG,
            slug=slug,
        )
    if not SLUG_PATTERN.match(slug) or "--" in slug:
        raise Invalid(
            "Use lowercase letters, digits and single hyphens; start and end with a letter or "
            "digit.",
            code=KernelCode.INVALID_SLUG,
            slug=slug,
        )
    if slug in RESERVED_SLUGS:
        raise Invalid(
            f"'{slug}' is reserved; choose another name.", code=ErrorCode.RESERVED_SLUG, slug=slug
        )
    return slug


def schema_name_for(slug: str) -> str:
    # Hyphens are legal in DNS labels but need quoting in SQL identifiers; underscores are the
    # reverse, so the mapping cannot collide.
    return "org_" + slug.replace("-", "_")
