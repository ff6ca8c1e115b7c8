"""The error codes of organizers, accounts, memberships, API tokens and organizer settings."""

from boxoffice.error_codes import ErrorCatalogue


class ErrorCode(ErrorCatalogue):
    RESERVED_SLUG = "reserved_slug", "The site name is reserved for the platform."
    INVALID_EMAIL = "invalid_email", "Not a valid email address."
    EMAIL_IN_USE = "email_in_use", "An account with this email exists."
    WEAK_PASSWORD = "weak_password", "The password is too weak; details.problems says why."
    INVALID_APPLICATION_FEE = (
        "invalid_application_fee",
        "The platform fee is outside 0 to the maximum basis points.",
    )
    ALREADY_MEMBER = "already_member", "The person is a member of this organizer already."
    MEMBER_NOT_FOUND = "member_not_found", "No member has this id here."
    LAST_OWNER = "last_owner", "An organizer needs at least one owner."
    INVALID_ROLE = "invalid_role", "An API token may be admin or staff, not owner."
    INVALID_SETTING = "invalid_setting", "Not a setting an organizer has."
    INVALID_COLOR = "invalid_color", "The brand colour is not #rrggbb."
    INVALID_LOGO = "invalid_logo", "The logo is not an https address or a path on this site."
