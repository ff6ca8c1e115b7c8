"""Platform-site API: self-service signup, and organizer administration for Boxoffice staff."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import DomainError, NotFound
from boxoffice.inputs import Pagination
from boxoffice.throttles import signup_throttle
from tenants import selectors, services
from tenants.auth import PlatformStaffAuth
from tenants.models import Organizer
from tenants.schemas import (
    OrganizerAdminOut,
    OrganizerChangeIn,
    OrganizerOut,
    SignupIn,
    SignupOut,
    SlugCheckOut,
    StatusChangeIn,
)
from tenants.slugs import validate_slug

router = Router(tags=["platform"])
staff_auth = PlatformStaffAuth()


@router.post(
    "/signup",
    response={201: SignupOut},
    throttle=[signup_throttle()],
    summary="Create an organizer and its owner account",
)
def sign_up(request: HttpRequest, payload: SignupIn) -> Status:
    organizer = services.sign_up_organizer(
        slug=payload.slug,
        name=payload.name,
        email=payload.email,
        password=payload.password,
        full_name=payload.full_name,
        currency=payload.currency,
        timezone_name=payload.timezone,
    )
    return Status(
        201,
        SignupOut(
            organizer=OrganizerOut.from_orm(organizer, context={"request": request}),
            login_url=selectors.organizer_url(organizer, "/login/", request=request),
        ),
    )


@router.get("/slugs/{slug}", response=SlugCheckOut, summary="Is this site name available?")
def check_slug(request: HttpRequest, slug: str) -> SlugCheckOut:
    try:
        validate_slug(slug)
    except DomainError as exc:
        return SlugCheckOut(slug=slug, available=False, code=exc.code, message=exc.message)
    if not selectors.slug_is_free(slug):
        return SlugCheckOut(
            slug=slug, available=False, code=KernelCode.SLUG_TAKEN, message="Taken."
        )
    return SlugCheckOut(slug=slug, available=True)


@router.get(
    "/organizers",
    response=list[OrganizerAdminOut],
    auth=staff_auth,
    summary="List organizers (staff)",
)
@paginate(Pagination)
def list_organizers(
    request: HttpRequest, status: str | None = None, q: str | None = None
) -> QuerySet[Organizer]:
    return selectors.organizers(status=status, search=q)


def _organizer(slug: str) -> Organizer:
    organizer = selectors.organizer_by_slug(slug)
    if organizer is None:
        raise NotFound("No such organizer.")
    return organizer


@router.post(
    "/organizers/{slug}/suspend",
    response=OrganizerAdminOut,
    auth=staff_auth,
    summary="Suspend an organizer: its site answers 423 until reactivated (staff)",
)
def suspend(request: HttpRequest, slug: str, payload: StatusChangeIn) -> Organizer:
    return services.suspend_organizer(
        organizer=_organizer(slug), actor=request.auth, reason=payload.reason
    )


@router.post(
    "/organizers/{slug}/reactivate",
    response=OrganizerAdminOut,
    auth=staff_auth,
    summary="Bring a suspended organizer back (staff)",
)
def reactivate(request: HttpRequest, slug: str, payload: StatusChangeIn) -> Organizer:
    return services.reactivate_organizer(
        organizer=_organizer(slug), actor=request.auth, reason=payload.reason
    )


@router.patch(
    "/organizers/{slug}",
    response=OrganizerAdminOut,
    auth=staff_auth,
    summary="Set an organizer's platform fee (staff; audited in the organizer's log)",
)
def change_organizer(request: HttpRequest, slug: str, payload: OrganizerChangeIn) -> Organizer:
    return services.set_application_fee(
        organizer=_organizer(slug),
        application_fee_bps=payload.application_fee_bps,
        actor=request.auth,
        reason=payload.reason,
    )
