"""Tenant-site API: who am I, and the organizer's API tokens."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from tenants import selectors, services
from tenants.models import ApiToken
from tenants.permissions import require_role
from tenants.roles import Role
from tenants.schemas import ApiTokenCreatedOut, ApiTokenIn, ApiTokenOut, MeOut, OrganizerOut

router = Router(tags=["identity"])


@router.get("/me", response=MeOut, summary="The signed-in member or token, and this organizer")
def me(request: HttpRequest) -> MeOut:
    actor = require_role(request, Role.STAFF)
    return MeOut(
        email=actor.user.email if actor.user else actor.label,
        full_name=actor.user.full_name if actor.user else None,
        kind=actor.kind.value,
        role=actor.role,
        is_supervisor=actor.is_supervisor,
        organizer=OrganizerOut.from_orm(request.tenant, context={"request": request}),
    )


@router.get("/tokens", response=list[ApiTokenOut], summary="List API tokens (admin)")
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    require_role(request, Role.ADMIN)
    return selectors.api_tokens(request.tenant)


@router.post(
    "/tokens",
    response={201: ApiTokenCreatedOut},
    summary="Create an API token (admin); its secret is in this answer only",
)
def create_token(request: HttpRequest, payload: ApiTokenIn) -> Status:
    actor = require_role(request, Role.ADMIN)
    token, raw = services.create_api_token(
        organizer=request.tenant, name=payload.name, role=payload.role, actor=actor
    )
    return Status(201, {**ApiTokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/tokens/{token_id}", response=ApiTokenOut, summary="Revoke an API token (admin)")
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    actor = require_role(request, Role.ADMIN)
    return services.revoke_api_token(organizer=request.tenant, token_id=token_id, actor=actor)
