"""Stripe Connect onboarding: the organizer's own Stripe account, created and read by us.

The account id comes from Stripe (we create the account, POST /v1/accounts), never from a text
field, so an organizer cannot point their checkouts at an account that is not theirs. Onboarding
is Stripe's hosted flow, reached through a one-time Account Link; coming back, we read the
account (GET /v1/accounts/{id}) and keep what Stripe says (`charges_enabled`, `payouts_enabled`,
`details_submitted`, `requirements`); `account.updated` events bound to the stored id keep it
current (boxoffice.payments.services.webhooks). An organizer who disconnects their account from the
platform in Stripe's Dashboard sends `account.application.deauthorized`: the account is marked
disconnected (we can no longer charge on it, nor even read it), checkout stops, and "Connect
with Stripe" makes a new account in its place.

Account type: **standard**. Checkouts are direct charges on the organizer's account (see
providers/stripe_provider.py): the organizer is the merchant of record, carries Stripe's fees,
refunds and chargebacks, and has the full Stripe Dashboard to answer disputes and see payouts.
That is Stripe's recommended pairing (direct charges with Standard accounts); Express accounts go
with destination charges, where the platform is liable for refunds, disputes and negative
balances — a liability a ticketing platform taking a small application fee should not carry.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.errors import Conflict, Unavailable
from boxoffice.payments.error_codes import ErrorCode
from boxoffice.payments.models import ConnectedAccount
from boxoffice.payments.providers.base import ProviderError
from boxoffice.payments.providers.stripe_provider import AccountState, StripeProvider
from tenants.models import Organizer

ACCOUNT_TYPE = "standard"


def connect_available() -> bool:
    """Whether this platform takes payments through Stripe (the sandbox has nothing to connect)."""
    return settings.PAYMENT_PROVIDER == "stripe"


def stripe_provider() -> StripeProvider:
    return StripeProvider()


def connected_account(organizer: Organizer) -> ConnectedAccount | None:
    return ConnectedAccount.objects.filter(organizer_id=organizer.pk).first()


def can_take_payments(organizer: Organizer) -> bool:
    """The account checkouts run on is one we created for this organizer and Stripe lets it
    charge. An id typed in by hand before onboarding existed is kept but never trusted."""
    return ConnectedAccount.objects.filter(
        organizer_id=organizer.pk,
        account_id=organizer.stripe_account_id,
        charges_enabled=True,
        disconnected_at__isnull=True,
    ).exists()


def require_payments_enabled(organizer: Organizer) -> None:
    if not can_take_payments(organizer):
        raise Conflict(
            f"{organizer.name} cannot take card payments yet: its Stripe account is not set up. "
            "Nothing was charged and your seats stay held; please try again later.",
            code=ErrorCode.PAYMENTS_NOT_ENABLED,
        )


def reconnect_key(organizer: Organizer, account: ConnectedAccount | None) -> str:
    """The idempotency key of the account creation: one per organizer, and after a
    disconnection one per account it replaces (Stripe would answer the old key with the
    disconnected account for a day)."""
    key = f"connect-account-{organizer.schema_name}"
    if account is not None and account.disconnected_at is not None:
        key += f"-after-{account.account_id}"
    return key


def _unavailable(exc: ProviderError) -> Unavailable:
    return Unavailable(
        "Stripe did not answer; try again in a moment.",
        code=ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
        provider_message=str(exc),
    )


def _record_state(
    account: ConnectedAccount, state: AccountState, at: datetime, *, audit: bool = True
) -> bool:
    """Write Stripe's `state` as of `at`, unless what we hold is newer. Returns whether it
    changed anything. Call with the row locked."""
    if account.state_at is not None and at < account.state_at:
        return False
    fresh = {
        "charges_enabled": state.charges_enabled,
        "payouts_enabled": state.payouts_enabled,
        "details_submitted": state.details_submitted,
        "requirements": state.requirements,
    }
    changed = {name: value for name, value in fresh.items() if getattr(account, name) != value}
    for name, value in fresh.items():
        setattr(account, name, value)
    account.state_at = at
    account.save(update_fields=[*fresh, "state_at", "updated_at"])
    if changed and audit:
        with schema_context(account.organizer.schema_name):
            record_audit(
                actor=Actor.system("stripe"),
                action="stripe.account_updated",
                target_type="stripe_account",
                target_id=account.account_id,
                data={name: value for name, value in changed.items() if name != "requirements"}
                | {"currently_due": len(state.requirements.get("currently_due", []))},
            )
    return bool(changed)


def _store_new_account(organizer: Organizer, state: AccountState, actor: Actor) -> ConnectedAccount:
    with transaction.atomic():
        locked = Organizer.objects.select_for_update().get(pk=organizer.pk)
        account, created = ConnectedAccount.objects.get_or_create(
            organizer=locked,
            defaults={"account_id": state.id, "account_type": ACCOUNT_TYPE},
        )
        if not created and account.disconnected_at is not None and account.account_id != state.id:
            # Connected again after a disconnection: the new account takes the row's place,
            # starting afresh (events about the old id no longer find it).
            account.account_id, account.account_type = state.id, ACCOUNT_TYPE
            account.charges_enabled = account.payouts_enabled = False
            account.details_submitted, account.requirements = False, {}
            account.state_at = account.disconnected_at = None
            account.save()
        elif not created:
            return account  # a concurrent click stored it first (the same account: same key)
        previous = locked.stripe_account_id
        locked.stripe_account_id = state.id
        locked.save(update_fields=["stripe_account_id", "updated_at"])
        organizer.stripe_account_id = state.id
        with schema_context(locked.schema_name):
            record_audit(
                actor=actor,
                action="stripe.account_created",
                target_type="stripe_account",
                target_id=state.id,
                data={"type": ACCOUNT_TYPE, "replaced": previous},
            )
        _record_state(account, state, timezone.now(), audit=False)
    return account


def start_onboarding(
    *, organizer: Organizer, actor: Actor, refresh_url: str, return_url: str
) -> str:
    """The Stripe address to send an owner or admin to: onboarding of the organizer's account,
    created first if there is none. Safe to repeat: a second click, or a retry after Stripe
    timed out, finds the same account (stored, or by the idempotency key at Stripe)."""
    if not connect_available():
        raise Conflict(
            "Payments on this platform run in the sandbox: there is no Stripe account to connect.",
            code=ErrorCode.STRIPE_NOT_CONFIGURED,
        )
    provider = stripe_provider()
    account = connected_account(organizer)
    if account is None or account.disconnected_at is not None:
        if not organizer.country:
            raise Conflict(
                "Set your country in Settings first: Stripe opens your account in that country "
                "and it cannot be changed later.",
                code=ErrorCode.COUNTRY_REQUIRED,
            )
        try:
            state = provider.create_account(
                account_type=ACCOUNT_TYPE,
                country=organizer.country,
                metadata={"organizer": organizer.slug, "schema": organizer.schema_name},
                idempotency_key=reconnect_key(organizer, account),
            )
        except ProviderError as exc:
            raise _unavailable(exc) from exc
        account = _store_new_account(organizer, state, actor)
    try:
        return provider.create_account_link(
            account.account_id, refresh_url=refresh_url, return_url=return_url
        )
    except ProviderError as exc:
        raise _unavailable(exc) from exc


def refresh_account(*, organizer: Organizer) -> ConnectedAccount | None:
    """Read the organizer's account back from Stripe and keep its state (after onboarding, or
    when someone asks). None when the organizer has no account of ours."""
    account = connected_account(organizer)
    if account is None or account.disconnected_at is not None or not connect_available():
        return account  # a disconnected account is no longer ours to read
    try:
        state = stripe_provider().retrieve_account(account.account_id)
    except ProviderError as exc:
        raise _unavailable(exc) from exc
    with transaction.atomic():
        locked = ConnectedAccount.objects.select_for_update().select_related("organizer")
        account = locked.get(pk=account.pk)
        _record_state(account, state, timezone.now())
    return account


def apply_account_update(*, account_id: str, state: AccountState, created: int) -> str:
    """An `account.updated` event already bound to `account_id` (one of ours): keep its state
    unless we hold a newer one. Call inside the event's transaction."""
    account = (
        ConnectedAccount.objects.select_for_update()
        .select_related("organizer")
        .get(account_id=account_id)
    )
    if not _record_state(account, state, datetime.fromtimestamp(created, tz=UTC)):
        return f"{account_id}: no change"
    return f"{account_id}: {account.state}"


def apply_account_deauthorized(*, account_id: str, created: int) -> str:
    """An `account.application.deauthorized` event already bound to `account_id` (one of
    ours): the organizer disconnected it from the platform. Final for that account: no card
    payments on it, and state events older than the disconnection change nothing. Call inside
    the event's transaction."""
    account = (
        ConnectedAccount.objects.select_for_update()
        .select_related("organizer")
        .get(account_id=account_id)
    )
    if account.disconnected_at is not None:
        return f"{account_id}: already disconnected"
    at = datetime.fromtimestamp(created, tz=UTC)
    account.disconnected_at = at
    account.charges_enabled = account.payouts_enabled = False
    account.state_at = max(at, account.state_at) if account.state_at else at
    account.save(
        update_fields=[
            "disconnected_at", "charges_enabled", "payouts_enabled", "state_at", "updated_at",
        ]
    )  # fmt: skip
    with schema_context(account.organizer.schema_name):
        record_audit(
            actor=Actor.system("stripe"),
            action="stripe.account_disconnected",
            target_type="stripe_account",
            target_id=account_id,
            data={"at": at.isoformat()},
        )
    return f"{account_id}: disconnected"
