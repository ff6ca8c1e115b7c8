"""Django-level error pages: JSON in the one error shape under /api/, HTML elsewhere."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from boxoffice.api_errors import error_response
from boxoffice.error_codes import ErrorCatalogue, ErrorCode


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/webhooks/")


def error_page(
    request: HttpRequest, *, status: int, code: ErrorCatalogue, title: str, message: str
) -> HttpResponse:
    if wants_json(request):
        return error_response(status, code, message)
    return render(
        request,
        "boxoffice/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        status=404,
        code=ErrorCode.NOT_FOUND,
        title="Not found",
        message="There is nothing at this address.",
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        status=403,
        code=ErrorCode.FORBIDDEN,
        title="Not allowed",
        message=str(exception) if exception and str(exception) else "You may not do this.",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(
        request,
        status=500,
        code=ErrorCode.SERVER_ERROR,
        title="Something went wrong",
        message="Something went wrong on our side. Please try again.",
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(
        request,
        status=403,
        code=ErrorCode.CSRF_FAILED,
        title="Form expired",
        message="The form expired or came from elsewhere. Reload the page and try again.",
    )
