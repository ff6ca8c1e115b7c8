"""The error codes of tickets and their signing keys."""

from boxoffice.error_codes import ErrorCatalogue


class ErrorCode(ErrorCatalogue):
    TICKET_NOT_FOUND = "ticket_not_found", "No ticket has this id here."
    TICKET_NOT_VALID = "ticket_not_valid", "Only a valid ticket can be reissued."
    KEY_IN_USE = "key_in_use", "The key signs new tickets; rotate to a new key before retiring it."
