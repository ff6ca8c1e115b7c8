"""The error codes of venues and seat maps: editing a draft, its operations, CSV import,
validation, publishing. Events and sales reuse the seat and category ones."""

from boxoffice.error_codes import ErrorCatalogue


class ErrorCode(ErrorCatalogue):
    VENUE_NOT_FOUND = "venue_not_found", "No venue has this id here."
    VENUE_IN_USE = "venue_in_use", "The venue has seat maps, so it is kept."
    SEAT_MAP_NOT_FOUND = "seat_map_not_found", "No seat map has this id here."
    SEAT_MAP_UNPUBLISHED = "seat_map_unpublished", "The seat map has no published version yet."
    VERSION_NOT_FOUND = "version_not_found", "The seat map has no version of this number."
    STALE_VERSION = (
        "stale_version",
        "Someone saved the draft since you loaded it; reload and apply the change again.",
    )
    EMPTY_MAP = "empty_map", "There is nothing to publish: the map has no seats or areas."
    UNKNOWN_SAMPLE = "unknown_sample", "No sample seat map has this name."
    # The document's rules (details.problems lists each, with its own code).
    MALFORMED_SEAT_MAP = "malformed_seat_map", "The document does not have the seat-map shape."
    INVALID_SEAT_MAP = "invalid_seat_map", "The document breaks rules; details.problems."
    DUPLICATE_CATEGORY = "duplicate_category", "Two price categories have the same key."
    DUPLICATE_SECTION = "duplicate_section", "Two sections have the same key."
    DUPLICATE_ROW = "duplicate_row", "Two rows of a section have the same label."
    DUPLICATE_SEAT = "duplicate_seat", "Two seats of a row have the same label."
    GA_SECTION_HAS_ROWS = "ga_section_has_rows", "A general-admission section has seat rows."
    GA_SECTION_WITHOUT_AREA = (
        "ga_section_without_area",
        "A general-admission section has no area with a capacity.",
    )
    GA_CAPACITY_NOT_POSITIVE = "ga_capacity_not_positive", "An area's capacity is not above 0."
    GA_POLYGON_TOO_SMALL = "ga_polygon_too_small", "An area's outline has fewer than 3 points."
    SEATED_SECTION_HAS_AREA = (
        "seated_section_has_area",
        "A seated section has a general-admission area.",
    )
    TOO_MANY_SEATS = (
        "too_many_seats",
        "More seats than allowed: on a seat map, or in one hold (the event's seats per order).",
    )
    TOO_MANY_SECTIONS = "too_many_sections", "More sections than a seat map may have."
    TOO_MANY_SHAPES = "too_many_shapes", "More shapes than a seat map may have."
    TOO_MUCH_CAPACITY = "too_much_capacity", "The areas' capacity adds up past the maximum."
    # Seats, sections and categories named by a request (the map's, an event's or a hold's).
    UNKNOWN_SEATS = "unknown_seats", "Some of the named seats do not exist; details.seats."
    UNKNOWN_SECTION = "unknown_section", "No section (or no such general-admission area)."
    UNKNOWN_CATEGORY = "unknown_category", "No price category has this key."
    UNKNOWN_ROWS = "unknown_rows", "The section has no rows of these labels."
    # Operations on a draft.
    UNKNOWN_OPERATION = "unknown_operation", "No seat-map operation has this name."
    INVALID_OPERATION_PARAMS = (
        "invalid_operation_params",
        "The operation's parameters are not valid; details.errors.",
    )
    NOT_SEATED_SECTION = "not_seated_section", "The section is general admission: no seat rows."
    SECTION_EXISTS = "section_exists", "A section with this key exists already."
    CURVE_TOO_TIGHT = "curve_too_tight", "The radius would bend rows past a half circle."
    NO_SEATS_SELECTED = "no_seats_selected", "The selection holds no seats."
    CATEGORY_IN_USE = "category_in_use", "Seats or areas still use this category."
    UNKNOWN_SHAPE = "unknown_shape", "The map has no shape of this number."
    INVALID_NUMBERING = "invalid_numbering", "The numbering cannot label these rows or seats."
    # CSV import (details.problems groups the lines by code).
    EMPTY_CSV = "empty_csv", "The CSV file has no seats."
    INVALID_CSV_HEADER = "invalid_csv_header", "The CSV's first line is not the expected header."
    INVALID_CSV = "invalid_csv", "The CSV has unreadable values, or problems of several kinds."
    INVALID_SECTION_KEY = "invalid_section_key", "A section key in the CSV is malformed."
    INVALID_LABEL = "invalid_label", "A row or seat label in the CSV is malformed."
    SECTION_NOT_SEATED = (
        "section_not_seated",
        "The CSV puts seats in a general-admission section.",
    )
