"""The country of a connected account (issue 21): Stripe opens a Standard account in the country
the creation request names, or else in the platform's, and never changes it. So the organizer
sets its country (ISO 3166-1, checked against CLDR's data through Babel, the same check as a
venue's) and onboarding sends it; without one, nothing is created. Stripe is faked at its HTTP
boundary."""

import pytest
from django_tenants.utils import schema_context

from boxoffice.audit.models import AuditEntry
from boxoffice.payments.models import ConnectedAccount
from boxoffice.validators import countries
from tests.builders.money import plain
from tests.builders.organizers import make_organizer, owner_of, signed_in_client
from tests.builders.stripe import (
    LINK_URL,
    account_link,
    account_object,
    start,
)

pytestmark = pytest.mark.django_db

SETTINGS = {"name": "Alpha", "currency": "KWD", "timezone": "Asia/Kuwait", "locale": "ar",
            "brand_color": "#112233", "logo_url": ""}  # fmt: skip


def test_onboarding_sends_the_organizers_country(stripe_api):
    alpha = make_organizer("alpha", country="KW", currency="KWD")
    stripe_api.answers += [(200, account_object(country="KW")), (200, account_link())]
    assert start(alpha) == LINK_URL
    create = stripe_api.sent[0]
    assert (create.method, create.path) == ("post", "/v1/accounts")
    assert create.form["country"] == "KW" and create.form["type"] == "standard"


def test_without_a_country_nothing_is_created_and_the_console_says_to_set_it(
    stripe_api,
):
    alpha = make_organizer("alpha")
    owner = signed_in_client(alpha, owner_of(alpha))
    page = owner.post("/console/settings/stripe/connect/", follow=True).content.decode()
    assert "Set your country in Settings first" in page
    assert not stripe_api.sent and not ConnectedAccount.objects.exists()

    # Set in the settings (any case), audited; then connecting sends it.
    saved = owner.post("/console/settings/", {**SETTINGS, "country": "kw"})
    assert saved.status_code == 302
    alpha.refresh_from_db()
    assert alpha.country == "KW"
    with schema_context(alpha.schema_name):
        entry = AuditEntry.objects.get(action="organizer.settings_changed")
    assert entry.data["country"] == {"from": "", "to": "KW"}
    stripe_api.answers += [(200, account_object(country="KW")), (200, account_link())]
    assert owner.post("/console/settings/stripe/connect/")["Location"] == LINK_URL
    assert stripe_api.sent[0].form["country"] == "KW"


@pytest.mark.parametrize("typed", ["EU", "XK", "ZZ", "SU", "KWT", "K1", "x"])
def test_a_country_that_is_not_iso_3166_is_refused_for_organizers_and_venues(typed):
    alpha = make_organizer("alpha")
    owner = signed_in_client(alpha, owner_of(alpha))
    page = owner.post("/console/settings/", {**SETTINGS, "country": typed}).content.decode()
    assert "Country must be a two-letter ISO 3166 code" in page
    alpha.refresh_from_db()
    assert alpha.country == ""
    venue = owner.post(
        "/api/v1/venues", {"name": "Hall", "country": typed}, content_type="application/json"
    )
    assert venue.status_code == 422
    assert plain(venue.json())["code"] in ("invalid_country", "validation_error")


def test_the_country_list_is_iso_3166_from_cldr():
    assert len(countries()) == 249  # ISO 3166-1's officially assigned codes
    assert {"NL", "KW", "US", "SS", "CW", "AQ"} <= countries()
    assert not {"EU", "XK", "ZZ", "SU", "YU", "UN", "IC"} & countries()
