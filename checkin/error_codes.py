"""The error codes of check-in: lists, devices and pairing, the manifest, scans and offline
batches, supervisor overrides. (A scan's answer is its verdict, Scan.Verdict, not an error.)"""

from boxoffice.error_codes import ErrorCatalogue


class ErrorCode(ErrorCatalogue):
    # Lists.
    LIST_NOT_FOUND = "list_not_found", "No check-in list has this id here."
    UNKNOWN_LIST = "unknown_list", "Some of the named check-in lists do not exist."
    NAME_TAKEN = "name_taken", "The event has a check-in list of this name."
    # Devices.
    DEVICE_NOT_FOUND = "device_not_found", "No device has this id here."
    DEVICE_REVOKED = "device_revoked", "The device is revoked."
    INVALID_PAIRING_CODE = "invalid_pairing_code", "The pairing code is unknown or has expired."
    TOKEN_CHANGED = "token_changed", "The device's token changed meanwhile; pair again."
    # The manifest and scans.
    INVALID_CURSOR = "invalid_cursor", "The cursor is not one the manifest gave out."
    INVALID_NONCE = "invalid_nonce", "A scan's nonce is not 8 to 64 characters."
    INVALID_TIME = "invalid_time", "The device's clock is too far off to place the scan in time."
    BATCH_TOO_LARGE = "batch_too_large", "More scans than a batch may hold."
    SCAN_NOT_FOUND = "scan_not_found", "No scan has this id here."
    # Overrides.
    REASON_REQUIRED = "reason_required", "An override needs a reason."
    ALREADY_OVERRIDDEN = "already_overridden", "The scan was overridden already."
    NOT_DENIED = "not_denied", "Only a denied entry can be overridden."
    CREDENTIAL_REQUIRED = (
        "credential_required",
        "A device overrides only with a supervisor's staff credential.",
    )
    INVALID_CREDENTIAL = "invalid_credential", "The staff credential is not accepted."
