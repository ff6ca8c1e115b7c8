"""Every write to organizers, users, memberships and API tokens."""

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from boxoffice.actors import Actor, ActorKind
from boxoffice.audit.services import record_audit
from boxoffice.currencies import check_currency, check_locale
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Conflict, Forbidden, Invalid, NotFound
from boxoffice.validators import check_country, check_timezone
from tenants import selectors
from tenants.error_codes import ErrorCode
from tenants.models import ApiToken, Domain, Membership, Organizer, User
from tenants.roles import Role
from tenants.slugs import schema_name_for, validate_slug

API_TOKEN_PREFIX = "bxo_"
# last_used_at is for humans ("used 3 minutes ago"); writing it on every request would turn
# every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def organizer_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _validate_currency(currency: str) -> str:
    return check_currency(currency)


def provision_organizer(
    *,
    slug: str,
    name: str,
    owner: User,
    currency: str = "EUR",
    timezone_name: str = "UTC",
    country: str = "",
    actor: Actor | None = None,
) -> Organizer:
    """Create an organizer: its schema (migrated), domain `<slug>.<BASE_DOMAIN>` and owner.

    All or nothing: a refusal or failure leaves no row, schema or domain behind.
    """
    validate_slug(slug)
    name = name.strip()
    if not name:
        raise Invalid("Give the organizer a name.", code=KernelCode.INVALID_NAME)
    currency = _validate_currency(currency)
    timezone_name = check_timezone(timezone_name)
    country = check_country(country) if country else ""
    actor = actor or Actor.system()

    if not selectors.slug_is_free(slug):
        # Also when only a schema is left (an organizer row deleted, its schema kept):
        # django-tenants would adopt that schema, and a stranger would inherit its data.
        raise Conflict(f"The site name '{slug}' is taken.", code=KernelCode.SLUG_TAKEN, slug=slug)
    try:
        # Organizers are created from the public schema (django-tenants insists), whatever
        # schema the caller's connection was left in.
        with schema_context(get_public_schema_name()), transaction.atomic():
            organizer = Organizer(
                schema_name=schema_name_for(slug),
                slug=slug,
                name=name,
                currency=currency,
                timezone=timezone_name,
                country=country,
            )
            # TenantMixin.save creates the schema and runs the tenant migrations inside this
            # transaction, so a rollback takes the schema with it.
            organizer.save(verbosity=0)
            Domain.objects.create(domain=organizer_host(slug), tenant=organizer, is_primary=True)
            Membership.objects.create(user=owner, organizer=organizer, role=Role.OWNER)
            with schema_context(organizer.schema_name):
                record_audit(
                    actor=actor,
                    action="organizer.created",
                    target_type="organizer",
                    target_id=slug,
                    data={"owner": owner.email},
                )
    except (IntegrityError, ValidationError) as exc:
        # Lost a race for the same slug: the other request's row won the unique index.
        raise Conflict(
            f"The site name '{slug}' is taken.", code=KernelCode.SLUG_TAKEN, slug=slug
        ) from exc
    return organizer


def create_user(*, email: str, password: str | None, full_name: str = "") -> User:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid("Enter a valid email address.", code=ErrorCode.INVALID_EMAIL) from exc
    if User.objects.filter(email=email).exists():
        raise Conflict("An account with this email exists.", code=ErrorCode.EMAIL_IN_USE)
    if password is not None:
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except ValidationError as exc:
            raise Invalid(
                "Choose a stronger password.", code=ErrorCode.WEAK_PASSWORD, problems=exc.messages
            ) from exc
    return User.objects.create_user(email, password, full_name=full_name.strip())


@transaction.atomic
def sign_up_organizer(
    *,
    slug: str,
    name: str,
    email: str,
    password: str,
    full_name: str = "",
    currency: str = "EUR",
    timezone_name: str = "UTC",
) -> Organizer:
    """Self-service signup: a new organizer owned by a new user, or by an existing user who
    proves it with their password."""
    validate_slug(slug)
    existing = User.objects.filter(email=email.strip().lower()).first()
    if existing is not None:
        if not (existing.is_active and existing.check_password(password)):
            raise Conflict(
                "An account with this email exists; sign up with its password to add an "
                "organizer to it.",
                code=ErrorCode.EMAIL_IN_USE,
            )
        owner = existing
    else:
        owner = create_user(email=email, password=password, full_name=full_name)
    return provision_organizer(
        slug=slug,
        name=name,
        owner=owner,
        currency=currency,
        timezone_name=timezone_name,
        actor=Actor.system(f"signup by {owner.email}"),
    )


def _set_status(*, organizer: Organizer, status: str, actor: Actor, reason: str) -> Organizer:
    if organizer.schema_name == get_public_schema_name():
        raise NotFound("No such organizer.")
    with transaction.atomic():
        locked = Organizer.objects.select_for_update().get(pk=organizer.pk)
        if locked.status != status:
            locked.status = status
            locked.save(update_fields=["status", "updated_at"])
            with schema_context(locked.schema_name):
                record_audit(
                    actor=actor,
                    action=f"organizer.{status}",
                    target_type="organizer",
                    target_id=locked.slug,
                    data={"reason": reason},
                )
    return locked


def suspend_organizer(*, organizer: Organizer, actor: Actor, reason: str = "") -> Organizer:
    """Take an organizer's site offline (it answers 423) without deleting anything."""
    return _set_status(
        organizer=organizer, status=Organizer.Status.SUSPENDED, actor=actor, reason=reason
    )


def reactivate_organizer(*, organizer: Organizer, actor: Actor, reason: str = "") -> Organizer:
    return _set_status(
        organizer=organizer, status=Organizer.Status.ACTIVE, actor=actor, reason=reason
    )


# The platform's fee, in basis points of each order. 20% is far above what ticketing platforms
# take (typically 1-10%): a higher number is a typo (2500 for 2.5%), not a price.
MAX_APPLICATION_FEE_BPS = 2000


def set_application_fee(
    *, organizer: Organizer, application_fee_bps: int, actor: Actor, reason: str = ""
) -> Organizer:
    """Platform staff set the share the platform keeps of this organizer's Stripe orders.
    Orders placed from now on use it; an order keeps the fee it was placed with."""
    if organizer.schema_name == get_public_schema_name():
        raise NotFound("No such organizer.")
    if not 0 <= application_fee_bps <= MAX_APPLICATION_FEE_BPS:
        raise Invalid(
            f"The platform fee is 0 to {MAX_APPLICATION_FEE_BPS} basis points "
            f"(0 to {MAX_APPLICATION_FEE_BPS // 100}%).",
            code=ErrorCode.INVALID_APPLICATION_FEE,
            maximum=MAX_APPLICATION_FEE_BPS,
        )
    with transaction.atomic():
        locked = Organizer.objects.select_for_update().get(pk=organizer.pk)
        before = locked.application_fee_bps
        if before != application_fee_bps:
            locked.application_fee_bps = application_fee_bps
            locked.save(update_fields=["application_fee_bps", "updated_at"])
            with schema_context(locked.schema_name):
                record_audit(
                    actor=actor,
                    action="organizer.application_fee_changed",
                    target_type="organizer",
                    target_id=locked.slug,
                    data={"from": before, "to": application_fee_bps, "reason": reason},
                )
    return locked


def add_member(
    *,
    organizer: Organizer,
    user: User,
    role: Role,
    is_supervisor: bool = False,
    actor: Actor,
) -> Membership:
    if role == Role.OWNER and actor.role != Role.OWNER and actor.kind is not ActorKind.SYSTEM:
        raise Forbidden("Only an owner may add another owner.")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user,
            organizer=organizer,
            defaults={"role": role, "is_supervisor": is_supervisor},
        )
        if not created:
            raise Conflict(f"{user.email} is already a member.", code=ErrorCode.ALREADY_MEMBER)
        with schema_context(organizer.schema_name):
            record_audit(
                actor=actor,
                action="member.added",
                target_type="user",
                target_id=user.email,
                data={"role": role.value, "is_supervisor": is_supervisor},
            )
    return membership


def _hash_token(raw: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(
    *, organizer: Organizer, name: str, role: Role, actor: Actor
) -> tuple[ApiToken, str]:
    """Create a token; return it and its secret, which is shown this once and never stored."""
    name = name.strip()
    if not name:
        raise Invalid("Name the token after what will use it.", code=KernelCode.INVALID_NAME)
    if role == Role.OWNER:
        raise Invalid("A token may be admin or staff, not owner.", code=ErrorCode.INVALID_ROLE)
    if actor.role is None or not Role(actor.role).at_least(role):
        raise Forbidden("A token cannot have a higher role than its creator.")
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organizer=organizer,
            name=name,
            prefix=raw[len(API_TOKEN_PREFIX) : len(API_TOKEN_PREFIX) + 8],
            key_hash=_hash_token(raw),
            role=role,
            created_by=actor.user,
        )
        with schema_context(organizer.schema_name):
            record_audit(
                actor=actor,
                action="api_token.created",
                target_type="api_token",
                target_id=token.pk,
                data={"name": name, "role": role.value},
            )
    return token, raw


def revoke_api_token(*, organizer: Organizer, token_id: int, actor: Actor) -> ApiToken:
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update().filter(organizer=organizer, pk=token_id).first()
        )
        if token is None:
            raise NotFound("No such token.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            with schema_context(organizer.schema_name):
                record_audit(
                    actor=actor,
                    action="api_token.revoked",
                    target_type="api_token",
                    target_id=token.pk,
                    data={"name": token.name},
                )
    return token


def authenticate_api_token(*, organizer: Organizer, raw: str) -> ApiToken | None:
    """The live token of this organizer matching `raw`, or None. Records when it was used."""
    if not raw.startswith(API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.filter(
            organizer=organizer, key_hash=_hash_token(raw), revoked_at__isnull=True
        )
        .only("id", "name", "role", "last_used_at")
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- the console: team and settings -------------------------------------------------------------


def _membership(organizer: Organizer, membership_id: int) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(organizer=organizer, pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound("No such member.", code=ErrorCode.MEMBER_NOT_FOUND)
    return membership


def _may_manage(actor: Actor, membership: Membership, new_role: Role | None = None) -> None:
    """Admins manage admins and staff; only an owner touches an owner or makes one."""
    touches_owner = membership.role == Role.OWNER or new_role == Role.OWNER
    if touches_owner and actor.role != Role.OWNER and actor.kind is not ActorKind.SYSTEM:
        raise Forbidden("Only an owner may change an owner or make one.")


def _keep_an_owner(organizer: Organizer, membership: Membership) -> None:
    if membership.role != Role.OWNER:
        return
    owners = Membership.objects.filter(organizer=organizer, role=Role.OWNER).count()
    if owners <= 1:
        raise Conflict("An organizer needs at least one owner.", code=ErrorCode.LAST_OWNER)


def invite_member(
    *,
    organizer: Organizer,
    email: str,
    role: Role,
    is_supervisor: bool = False,
    actor: Actor,
    send_invitation: Callable[[User], None] | None = None,
) -> Membership:
    """Add a person by email: an existing account joins at once; a new one is created without a
    usable password. `send_invitation(user)` runs after commit (the console sends a set-password
    link there)."""
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = create_user(email=email, password=None)
        membership = add_member(
            organizer=organizer, user=user, role=role, is_supervisor=is_supervisor, actor=actor
        )
        if send_invitation is not None:
            transaction.on_commit(lambda: send_invitation(user))
    return membership


def change_member(
    *,
    organizer: Organizer,
    membership_id: int,
    role: Role,
    is_supervisor: bool,
    actor: Actor,
) -> Membership:
    with transaction.atomic():
        membership = _membership(organizer, membership_id)
        _may_manage(actor, membership, role)
        if role != Role.OWNER:
            _keep_an_owner(organizer, membership)
        membership.role = role
        membership.is_supervisor = is_supervisor
        membership.save(update_fields=["role", "is_supervisor", "updated_at"])
        with schema_context(organizer.schema_name):
            record_audit(
                actor=actor,
                action="member.changed",
                target_type="user",
                target_id=membership.user.email,
                data={"role": role.value, "is_supervisor": is_supervisor},
            )
    return membership


def remove_member(*, organizer: Organizer, membership_id: int, actor: Actor) -> None:
    with transaction.atomic():
        membership = _membership(organizer, membership_id)
        _may_manage(actor, membership)
        _keep_an_owner(organizer, membership)
        email = membership.user.email
        membership.delete()
        with schema_context(organizer.schema_name):
            record_audit(actor=actor, action="member.removed", target_type="user", target_id=email)


ORGANIZER_SETTINGS = (
    "name",
    "country",
    "currency",
    "timezone",
    "locale",
    "brand_color",
    "logo_url",
)


def update_organizer_settings(*, organizer: Organizer, actor: Actor, changes: dict) -> Organizer:
    """What an owner or admin may change about their organizer. The application fee is the
    platform's to set, and the Stripe account comes from Connect onboarding
    (boxoffice.payments.services.connect), so neither is among ORGANIZER_SETTINGS."""
    unknown = set(changes) - set(ORGANIZER_SETTINGS)
    if unknown:
        raise Invalid(
            f"Not a setting: {', '.join(sorted(unknown))}.",
            code=ErrorCode.INVALID_SETTING,
        )
    changes = dict(changes)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise Invalid("Give the organizer a name.", code=KernelCode.INVALID_NAME)
    if "currency" in changes:
        changes["currency"] = _validate_currency(changes["currency"])
    if "country" in changes:
        changes["country"] = check_country(changes["country"])
    if "timezone" in changes:
        changes["timezone"] = check_timezone(changes["timezone"])
    if "locale" in changes:
        changes["locale"] = check_locale(changes["locale"])
    if "brand_color" in changes and not re.fullmatch(r"#[0-9a-fA-F]{6}", changes["brand_color"]):
        raise Invalid("The brand colour is #rrggbb.", code=ErrorCode.INVALID_COLOR)
    if "logo_url" in changes:
        logo = changes["logo_url"].strip()
        if logo and not (logo.startswith("https://") or logo.startswith("/")):
            raise Invalid(
                "The logo is an https address or a path on this site.", code=ErrorCode.INVALID_LOGO
            )
        changes["logo_url"] = logo
    with transaction.atomic():
        locked = Organizer.objects.select_for_update().get(pk=organizer.pk)
        before = {field: getattr(locked, field) for field in changes}
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save(update_fields=[*changes, "updated_at"])
        with schema_context(organizer.schema_name):
            record_audit(
                actor=actor,
                action="organizer.settings_changed",
                target_type="organizer",
                target_id=locked.slug,
                data={
                    field: {"from": before[field], "to": value}
                    for field, value in changes.items()
                    if before[field] != value
                },
            )
    return locked
