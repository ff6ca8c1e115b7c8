"""HTML pages for identity: sign in/out on every site, signup on the platform site, and the
password reset on organizers' sites."""

from urllib.parse import urlencode

from django.contrib.auth import login, logout
from django.contrib.auth.views import PasswordResetView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tenants.utils import get_public_schema_name

from boxoffice.error_codes import ErrorCatalogue
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import DomainError
from boxoffice.throttles import login_throttle, signup_throttle
from tenants import selectors, services
from tenants.error_codes import ErrorCode
from tenants.forms import LoginForm, MemberPasswordResetForm, SignupForm
from tenants.handoff import handoff_token, redeem_handoff
from tenants.models import Membership, Organizer, User
from tenants.roles import Role

FIELD_BY_ERROR: dict[ErrorCatalogue, str] = {
    KernelCode.INVALID_SLUG: "slug",
    ErrorCode.RESERVED_SLUG: "slug",
    KernelCode.SLUG_TAKEN: "slug",
    ErrorCode.INVALID_EMAIL: "email",
    ErrorCode.EMAIL_IN_USE: "email",
    ErrorCode.WEAK_PASSWORD: "password",
    KernelCode.INVALID_CURRENCY: "currency",
    KernelCode.INVALID_TIMEZONE: "timezone",
    KernelCode.INVALID_NAME: "name",
}


def _on_platform(request: HttpRequest) -> bool:
    return request.tenant.schema_name == get_public_schema_name()


def _rate_limited(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["rate_limited"] = True
    return render(request, template, context, status=429)


@require_http_methods(["GET", "POST"])
def log_in(request: HttpRequest) -> HttpResponse:
    default_next = "/" if _on_platform(request) else "/console/"
    next_url = request.POST.get("next") or request.GET.get("next") or default_next
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = default_next
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    context = {"form": form, "next": next_url}
    if request.method == "POST":
        if not login_throttle().allow_request(request):
            return _rate_limited(request, "tenants/login.html", context)
        if form.is_valid():
            login(request, form.get_user())
            return HttpResponseRedirect(next_url)
    return render(request, "tenants/login.html", context)


@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("/")


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method == "POST":
        if not signup_throttle().allow_request(request):
            return _rate_limited(request, "tenants/signup.html", context)
        if form.is_valid():
            data = form.cleaned_data
            try:
                organizer = services.sign_up_organizer(
                    slug=data["slug"],
                    name=data["name"],
                    email=data["email"],
                    password=data["password"],
                    full_name=data["full_name"],
                    currency=data["currency"],
                    timezone_name=data["timezone"],
                )
            except DomainError as exc:
                form.add_error(FIELD_BY_ERROR.get(exc.code), exc.message)
                for problem in exc.details.get("problems", []):
                    form.add_error("password", problem)
            else:
                owner = Membership.objects.get(organizer=organizer, role=Role.OWNER).user
                # Signed in here too (the platform home lists their sites), then carried over.
                login(request, owner)
                return _to_console(request, owner, organizer)
    return render(request, "tenants/signup.html", context)


def _to_console(request: HttpRequest, user: User, organizer: Organizer) -> HttpResponse:
    token = handoff_token(user=user, organizer=organizer)
    link = selectors.organizer_url(
        organizer, f"/login/continue/?{urlencode({'token': token})}", request=request
    )
    return HttpResponseRedirect(link, status=303)


def platform_home(request: HttpRequest) -> HttpResponse:
    """The platform's front page; for someone signed in, their organizers' consoles."""
    memberships = []
    if request.user.is_authenticated:
        memberships = list(
            Membership.objects.filter(user=request.user, organizer__status=Organizer.Status.ACTIVE)
            .select_related("organizer")
            .order_by("organizer__name")
        )
    return render(request, "tenants/platform_home.html", {"memberships": memberships})


@require_POST
def open_console(request: HttpRequest, slug: str) -> HttpResponse:
    """From the platform site (signed in, CSRF): to that organizer's console, signed in there."""
    if not _on_platform(request):
        raise Http404("Consoles are opened from the platform site.")
    organizer = selectors.organizer_by_slug(slug)
    if (
        organizer is None
        or not request.user.is_authenticated
        or not Membership.objects.filter(user=request.user, organizer=organizer).exists()
    ):
        raise Http404("No such organizer.")
    return _to_console(request, request.user, organizer)


@require_GET
def continue_sign_in(request: HttpRequest) -> HttpResponse:
    """The organizer-site end of a handoff link from the platform (tenants/handoff.py)."""
    if _on_platform(request):
        raise Http404("Handoff links lead to an organizer's site.")
    user = redeem_handoff(token=request.GET.get("token", ""), organizer=request.tenant)
    if user is None:
        context = {"form": LoginForm(request), "next": "/console/", "handoff_failed": True}
        return render(request, "tenants/login.html", context, status=400)
    login(request, user)
    return redirect("/console/")


def organizer_home(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/organizer_home.html", {"organizer": request.tenant})


class MemberPasswordResetView(PasswordResetView):
    """Password reset on an organizer's site: mail goes only to its members (users are global,
    but a stranger's address gets nothing from this host), and the link comes back to this host.
    The page answers the same whether or not the address is known."""

    template_name = "console/password_reset.html"
    email_template_name = "console/email/password_reset.txt"
    subject_template_name = "console/email/password_reset_subject.txt"
    success_url = reverse_lazy("console:password_reset_done")
    form_class = MemberPasswordResetForm

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "organizer": self.request.tenant}

    def get_context_data(self, **kwargs: object) -> dict:
        return {**super().get_context_data(**kwargs), "organizer": self.request.tenant}

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if _on_platform(request):
            raise Http404("Password reset is on the organizer's site.")
        if request.method == "POST" and not login_throttle().allow_request(request):
            return _rate_limited(request, self.template_name, {"form": self.get_form()})
        return super().dispatch(request, *args, **kwargs)
