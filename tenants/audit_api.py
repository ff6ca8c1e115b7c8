"""The organizer's audit log over the API (admin). Here rather than in boxoffice.audit: who may
read it is a role rule, and the audit log itself imports no app (every app records into it)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from boxoffice.audit.models import AuditEntry
from boxoffice.inputs import Pagination
from tenants.permissions import require_role
from tenants.roles import Role
from tenants.schemas import AuditEntryOut

router = Router(tags=["audit"])


@router.get("", response=list[AuditEntryOut], summary="The organizer's audit log, newest first")
@paginate(Pagination)
def list_audit_entries(request: HttpRequest, action: str | None = None) -> QuerySet[AuditEntry]:
    require_role(request, Role.ADMIN)
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    return entries
