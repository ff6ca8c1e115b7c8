"""The console's pages: dashboard, orders, team, API tokens and settings. Every write calls the
service the JSON API calls; every read the API's selector or report."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from boxoffice.audit.models import AuditEntry
from boxoffice.console import charts, selectors
from boxoffice.console.shell import admin_only, page, staff_only
from boxoffice.currencies import format_money
from boxoffice.errors import DomainError, NotFound
from boxoffice.events import selectors as event_selectors
from boxoffice.inputs import parse_offset
from boxoffice.payments.presenters import order_out
from boxoffice.payments.services import connect
from boxoffice.payments.services.emails import resend_tickets
from boxoffice.payments.services.refunds import refund_order
from boxoffice.sales import reports
from boxoffice.sales import selectors as sales_selectors
from boxoffice.sales.models import Order
from boxoffice.sales.services import refunds
from tenants import selectors as tenant_selectors
from tenants import services as tenant_services
from tenants.forms import MemberPasswordResetForm
from tenants.models import Membership
from tenants.roles import Role

PAGE_SIZE = 50


def _refusal(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


# --- dashboard ----------------------------------------------------------------------------------


@staff_only
def dashboard(request: HttpRequest) -> HttpResponse:
    organizer = request.tenant
    currency = organizer.currency
    summary = selectors.sales_summary(zone_name=organizer.timezone)
    daily = selectors.daily_revenue(zone_name=organizer.timezone)
    upcoming = list(selectors.next_events())
    focus = None
    chosen = request.GET.get("event")
    if chosen:
        try:
            focus = event_selectors.event_by_id(chosen, include_unpublished=True)
        except NotFound:
            focus = None
    focus = focus or (upcoming[0] if upcoming else None)
    occupancy = None
    if focus is not None:
        report = reports.event_report(focus)
        occupancy = {
            "event": focus,
            "report": report,
            "chart": charts.share_bars(
                [
                    (
                        category["name"],
                        category["occupancy"],
                        category["color"],
                        f"{category['occupancy']}% · {category['sold']}/{category['capacity']}",
                    )
                    for category in report["categories"]
                ],
                label=f"Occupancy by category of {focus.title}",
            ),
        }
    revenue_chart = charts.column_chart(
        [
            (
                day["date"].strftime("%d %b"),
                max(day["net"], 0),
                f"{day['date']:%a %d %b}: {format_money(day['net'], currency)}, "
                f"{day['orders']} orders",
            )
            for day in daily
        ],
        label="Net revenue per day, last 30 days",
        top_label=f"max {format_money(max((day['net'] for day in daily), default=0), currency)}",
    )
    return page(
        request,
        "console/dashboard.html",
        {
            "summary": summary,
            "currency": currency,
            "revenue_chart": revenue_chart,
            "occupancy": occupancy,
            "upcoming": upcoming,
            "recent_orders": reports.orders_for_organizer()[:10],
        },
        section="dashboard",
    )


# --- orders -------------------------------------------------------------------------------------


@staff_only
def order_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    event = None
    if request.GET.get("event"):
        try:
            event = event_selectors.event_by_id(request.GET["event"], include_unpublished=True)
        except NotFound:
            event = None
    if status not in Order.Status.values:
        status = ""
    disputed = request.GET.get("disputed") == "1"
    found = reports.orders_for_organizer(
        q=q or None, event=event, status=status or None, disputed=True if disputed else None
    )
    offset = parse_offset(request.GET.get("offset"))
    rows = list(found[offset : offset + PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("offset", None)
    template = (
        "console/_order_rows.html" if request.htmx and not request.htmx.boosted
        else "console/orders.html"
    )  # fmt: skip
    return page(
        request,
        template,
        {
            "orders": rows[:PAGE_SIZE],
            "more": len(rows) > PAGE_SIZE,
            "next_offset": offset + PAGE_SIZE,
            "q": q,
            "status": status,
            "disputed": disputed,
            "event": event,
            "statuses": Order.Status.choices,
            "query": query.urlencode(),
        },
        section="orders",
    )


def _order(code: str) -> Order:
    try:
        return sales_selectors.order_by_code(code)
    except NotFound as exc:
        raise Http404("No such order.") from exc


@staff_only
def order_detail(request: HttpRequest, code: str) -> HttpResponse:
    order = _order(code)
    detail = order_out(order, customer=False)
    return page(
        request,
        "console/order.html",
        {
            "order": order,
            "detail": detail,
            "refundable": order.status in refunds.REFUNDABLE,
            "emails": _emails_of(order),
        },
        section="orders",
    )


def _emails_of(order: Order) -> list[dict[str, str]]:
    """What the customer was sent, as far as the order's own record tells: payments keeps no
    email log, so this lists the emails its flows send at each recorded step, and the resends
    recorded in the audit log."""
    sent = []
    if order.paid_at:
        sent.append({"kind": "Confirmation with tickets", "at": order.paid_at})
    for entry in AuditEntry.objects.filter(
        action="order.tickets_resent", target_type="order", target_id=order.code
    ).order_by("created_at"):
        sent.append({"kind": f"Tickets sent again by {entry.actor_label}", "at": entry.created_at})
    for refund in order.refunds.all():
        sent.append({"kind": f"Refund ({refund.get_reason_display()})", "at": refund.created_at})
    return sent


@admin_only
@require_POST
def order_refund(request: HttpRequest, code: str) -> HttpResponse:
    """Two steps: the order page's form shows what would be refunded (seats, amount, where the
    money goes) and changes nothing; only that page's "Confirm refund" (confirmed=1) refunds."""
    order = _order(code)
    seats = request.POST.getlist("seats") if request.POST.get("scope") == "seats" else None
    if seats is not None and not seats:
        messages.error(request, "Choose the seats to refund.")
        return redirect("console:order", code=order.code)
    if request.POST.get("confirmed") != "1":
        try:
            items, amount = refunds.refund_terms(order=order, seat_refs=seats)
        except DomainError as error:
            _refusal(request, error)
            return redirect("console:order", code=order.code)
        return page(
            request,
            "console/order_refund_confirm.html",
            {
                "order": order,
                "items": items,
                "amount": amount,
                "whole": seats is None,
                "note": request.POST.get("note", ""),
                "message": request.POST.get("message", ""),
            },
            section="orders",
        )
    try:
        refund = refund_order(
            order=order,
            actor=request.actor,
            seat_refs=seats,
            note=request.POST.get("note", "")[:500],
            message=request.POST.get("message", "")[:1000],
        )
    except DomainError as error:
        _refusal(request, error)
    else:
        if refund is None:
            messages.info(request, "Nothing was left to refund.")
        else:
            messages.success(
                request,
                f"Refunded {format_money(refund.amount, order.currency)}; "
                f"{refund.items.count()} seat(s) are back on sale.",
            )
    return redirect("console:order", code=order.code)


@admin_only
@require_POST
def order_resend(request: HttpRequest, code: str) -> HttpResponse:
    """Send the confirmation with the valid tickets again, through the same job and template
    payments uses after a payment."""
    order = _order(code)
    try:
        resend_tickets(order=order, actor=request.actor)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Tickets sent again to {order.email}.")
    return redirect("console:order", code=order.code)


# --- team ---------------------------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAFF)
    is_supervisor = forms.BooleanField(required=False, label="Supervisor (check-in overrides)")


def _send_invitation(request: HttpRequest):
    def send(user) -> None:
        form = MemberPasswordResetForm({"email": user.email}, organizer=request.tenant)
        if form.is_valid():
            form.save(
                request=request,
                use_https=request.is_secure(),
                subject_template_name="console/email/invitation_subject.txt",
                email_template_name="console/email/invitation.txt",
                extra_email_context={"organizer": request.tenant},
            )

    return send


@admin_only
def team(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_services.invite_member(
                organizer=request.tenant,
                email=form.cleaned_data["email"],
                role=Role(form.cleaned_data["role"]),
                is_supervisor=form.cleaned_data["is_supervisor"],
                actor=request.actor,
                send_invitation=_send_invitation(request),
            )
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, f"Invited {form.cleaned_data['email']}.")
            return redirect("console:team")
    members = (
        Membership.objects.filter(organizer=request.tenant)
        .select_related("user")
        .order_by("user__email")
    )
    return page(
        request,
        "console/team.html",
        {"form": form, "members": members, "roles": Role.choices},
        section="team",
    )


@admin_only
@require_POST
def team_member(request: HttpRequest, membership_id: int) -> HttpResponse:
    try:
        if request.POST.get("action") == "remove":
            tenant_services.remove_member(
                organizer=request.tenant, membership_id=membership_id, actor=request.actor
            )
            messages.success(request, "Removed.")
        else:
            role = request.POST.get("role", "")
            if role not in Role.values:
                raise Http404("No such role.")
            tenant_services.change_member(
                organizer=request.tenant,
                membership_id=membership_id,
                role=Role(role),
                is_supervisor=request.POST.get("is_supervisor") == "on",
                actor=request.actor,
            )
            messages.success(request, "Saved.")
    except DomainError as error:
        _refusal(request, error)
    return redirect("console:team")


# --- API tokens ---------------------------------------------------------------------------------


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100)
    role = forms.ChoiceField(choices=[(Role.STAFF, "Staff"), (Role.ADMIN, "Admin")])


@admin_only
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = tenant_services.create_api_token(
                organizer=request.tenant,
                name=form.cleaned_data["name"],
                role=Role(form.cleaned_data["role"]),
                actor=request.actor,
            )
        except DomainError as error:
            form.add_error("name", error.message)
        else:
            created = {"token": token, "secret": raw}
            form = TokenForm()
    return page(
        request,
        "console/tokens.html",
        {"form": form, "created": created, "tokens": tenant_selectors.api_tokens(request.tenant)},
        section="tokens",
    )


@admin_only
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        tenant_services.revoke_api_token(
            organizer=request.tenant, token_id=token_id, actor=request.actor
        )
    except DomainError as error:
        _refusal(request, error)
    else:
        messages.success(request, "Token revoked.")
    return redirect("console:tokens")


# --- settings -----------------------------------------------------------------------------------


class SettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    # Longer than a code: still the one message of boxoffice.validators.check_country.
    country = forms.CharField(
        max_length=64,
        required=False,
        help_text="Where your business is, ISO 3166, e.g. NL: Stripe opens your account there",
    )
    currency = forms.CharField(max_length=3, help_text="ISO 4217, e.g. EUR")
    timezone = forms.CharField(max_length=64, help_text="e.g. Europe/Lisbon")
    locale = forms.CharField(
        max_length=35,
        required=False,
        help_text="How amounts are written, e.g. en, de_DE, pt_BR",
        label="Locale",
    )
    brand_color = forms.CharField(
        max_length=7, widget=forms.TextInput(attrs={"type": "color"}), label="Brand colour"
    )
    logo_url = forms.CharField(max_length=500, required=False, label="Logo address")

    def clean_locale(self) -> str:
        # Left empty (or posted by an older form): the locale stays as it is.
        return self.cleaned_data["locale"] or self.initial.get("locale", "en")

    def clean_country(self) -> str:
        # Left empty: the country stays as it is (once set, it is never unset).
        return self.cleaned_data["country"] or self.initial.get("country", "")


@admin_only
def organizer_settings(request: HttpRequest) -> HttpResponse:
    organizer = request.tenant
    initial = {field: getattr(organizer, field) for field in tenant_services.ORGANIZER_SETTINGS}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {
            field: value for field, value in form.cleaned_data.items() if initial[field] != value
        }
        try:
            if changes:
                tenant_services.update_organizer_settings(
                    organizer=organizer, actor=request.actor, changes=changes
                )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Settings saved.")
            return redirect("console:settings")
    account = connect.connected_account(organizer)
    return page(
        request,
        "console/settings.html",
        {
            "form": form,
            "application_fee_percent": organizer.application_fee_bps / 100,
            "stripe": {
                "available": connect.connect_available(),
                "account": account,
                # An id typed in before onboarding existed: kept, shown, never charged on.
                "unverified_id": organizer.stripe_account_id
                if account is None or account.account_id != organizer.stripe_account_id
                else "",
                "can_take_payments": connect.can_take_payments(organizer),
            },
        },
        section="settings",
    )


def _onboarding_redirect(request: HttpRequest) -> HttpResponse:
    organizer = request.tenant
    try:
        url = connect.start_onboarding(
            organizer=organizer,
            actor=request.actor,
            refresh_url=tenant_selectors.organizer_url(
                organizer, reverse("console:stripe_refresh"), request=request
            ),
            return_url=tenant_selectors.organizer_url(
                organizer, reverse("console:stripe_return"), request=request
            ),
        )
    except DomainError as error:
        _refusal(request, error)
        return redirect("console:settings")
    return redirect(url)


@admin_only
@require_POST
def stripe_connect(request: HttpRequest) -> HttpResponse:
    """ "Connect with Stripe": create the organizer's account if needed, then onboarding."""
    return _onboarding_redirect(request)


@admin_only
def stripe_refresh(request: HttpRequest) -> HttpResponse:
    """Where Stripe sends someone whose onboarding link expired or was used: a fresh link for
    the account we already have (never a new account: that takes the POST above)."""
    account = connect.connected_account(request.tenant)
    if account is None or account.disconnected_at is not None:
        return redirect("console:settings")
    return _onboarding_redirect(request)


@admin_only
def stripe_return(request: HttpRequest) -> HttpResponse:
    """Back from Stripe's onboarding (finished or not): read the account and say where it is."""
    try:
        account = connect.refresh_account(organizer=request.tenant)
    except DomainError as error:
        _refusal(request, error)
        return redirect("console:settings")
    if account is None:
        messages.error(request, "There is no Stripe account to check yet.")
    elif account.disconnected_at is not None:
        messages.error(
            request, "Your Stripe account was disconnected from Boxoffice; connect again."
        )
    elif account.charges_enabled:
        messages.success(request, "Your Stripe account can take payments.")
    elif account.details_submitted:
        messages.warning(request, "Stripe is still checking your details; payments wait.")
    else:
        messages.warning(request, "Stripe onboarding is not finished; continue when ready.")
    return redirect("console:settings")
