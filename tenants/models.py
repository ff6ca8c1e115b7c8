"""Organizers (tenants), their domains, users, memberships and API tokens: all in the public
schema."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django_tenants.models import DomainMixin, TenantMixin

from tenants.roles import Role


class Organizer(TenantMixin):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="EUR")
    timezone = models.CharField(max_length=64, default="UTC")
    # How amounts are written for people (CLDR, through Babel): "€26.00" in en, "26,00 €" in de.
    locale = models.CharField(max_length=35, default="en")
    # Where the organizer's business is (ISO 3166-1 alpha-2): Stripe opens the connected
    # account in this country, which it never changes afterwards. Empty until set.
    country = models.CharField(max_length=2, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Stripe Connect: checkouts run on this connected account, and the platform keeps
    # `application_fee_bps` basis points (1/100 of a percent) of each order.
    stripe_account_id = models.CharField(max_length=64, blank=True)
    application_fee_bps = models.PositiveIntegerField(default=0)
    # Branding of the customer shop: the accent colour (#rrggbb) and a logo image address
    # (https, or a path on the organizer's own site); the name is `name`.
    brand_color = models.CharField(max_length=7, default="#4b3fd1")
    logo_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Provisioning runs the migrations itself (see tenants/README.md); dropping a schema is never
    # a side effect of deleting a row.
    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "suspended"]),
                name="organizer_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"),
                name="organizer_currency_iso4217",
            ),
            models.CheckConstraint(
                condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"),
                name="organizer_country_iso3166",
            ),
            models.CheckConstraint(
                condition=models.Q(brand_color__regex=r"^#[0-9a-fA-F]{6}$"),
                name="organizer_brand_color_hex",
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED


class Domain(DomainMixin):
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.domain


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email=email.strip().lower())

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(email=email.strip().lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        return self.create_user(email, password, is_platform_staff=True, **fields)


class User(AbstractBaseUser):
    """A person. Global across organizers; what they may do is in their memberships."""

    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_platform_staff = models.BooleanField(
        default=False, help_text="Boxoffice operators: may list and suspend organizers."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="user_email_lower"
            )
        ]

    def __str__(self) -> str:
        return self.email


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    is_supervisor = models.BooleanField(
        default=False, help_text="May override denied check-in scans."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organizer"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organizer}: {self.role}"


class ApiToken(models.Model):
    """An organizer's integration credential. Only the SHA-256 of the secret is stored."""

    organizer = models.ForeignKey(Organizer, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="Shown in lists to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[Role.ADMIN.value, Role.STAFF.value]),
                name="api_token_role_not_owner",
            ),
        ]
        indexes = [models.Index(fields=["organizer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
