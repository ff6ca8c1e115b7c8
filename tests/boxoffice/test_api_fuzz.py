"""A property-based fuzz of both OpenAPI specs: no generated request may get a 5xx (issue 21).

Schemathesis turns each spec (read from the running app, as a client would) into Hypothesis
strategies of valid and invalid requests; they go through Django's test client against the real
database, as a stranger, as an admin (Bearer token), as a paired check-in device, and on the
platform site as a stranger and as platform staff (session). Path parameters are often swapped
for the ids of real things so requests get past the 404s. Bounded to fit `make test`: the
numbers of examples below are the budget.
"""

from collections import Counter
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from django.test import Client
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from boxoffice.actors import Actor, ActorKind
from boxoffice.sales.models import Order
from tenants import services as tenant_services
from tenants.models import User
from tenants.roles import Role
from tests.builders.checkin import make_door
from tests.builders.organizers import host_of, make_member
from tests.builders.payments import make_shop

# Endpoints that never end on their own (Server-Sent Events) are left out.
ENDLESS = ("/availability/stream",)


def _schema(client: Client, path: str):
    return schemathesis.openapi.from_dict(client.get(path).json())


def _strategy(schema):
    return st.one_of(
        schema.as_strategy(generation_mode=GenerationMode.POSITIVE),
        schema.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def _send(client: Client, case, host: str, headers: dict[str, str]):
    kwargs = case.as_transport_kwargs(base_url=f"http://{host}")
    fields = ("method", "url", "headers", "params", "json", "data", "files")
    prepared = requests.Request(**{name: kwargs[name] for name in fields if name in kwargs})
    prepared = prepared.prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    extra = {
        f"HTTP_{name.upper().replace('-', '_')}": value
        for name, value in {**prepared.headers, **headers}.items()
        if name.lower() not in ("content-type", "content-length", "host")
    }
    return client.generic(
        prepared.method,
        url.path,
        data=body.encode() if isinstance(body, str) else body,
        content_type=prepared.headers.get("Content-Type", "application/octet-stream"),
        QUERY_STRING=url.query,
        **extra,
    )


def _fuzz(client: Client, schema, *, host: str, examples: int, ids: dict[str, list[str]],
          headers: dict[str, str] | None = None, must_pass: bool = True) -> list[str]:  # fmt: skip
    """Send `examples` generated requests; answer the ones that got a 5xx. With `must_pass`,
    some request must also have succeeded (credentials that open the API)."""
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    headers = dict(headers or {})

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # no shrinking: the first 5xx of each kind is reported as is
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(schema), data=st.data())
    def request(case, data):
        if any(case.formatted_path.endswith(tail) for tail in ENDLESS):
            return
        for name in list(case.path_parameters or {}):
            known = [value for key, values in ids.items() if key in name for value in values]
            if known and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(known))
        answer = _send(client, case, host, headers)
        statuses[answer.status_code] += 1
        if case.formatted_path.endswith("/checkin/device/token") and answer.status_code == 200:
            headers["Authorization"] = f"Device {answer.json()['token']}"  # rotated
        if answer.status_code >= 500:
            failures.append(
                f"{answer.status_code} {case.method} {case.formatted_path} "
                f"path={case.path_parameters} query={case.query} body={case.body!r:.300}: "
                f"{answer.content[:300]!r}"
            )

    request()
    print(f"{host} {sorted(headers)}: {sorted(statuses.items())}")  # with -s: what it reached
    # With credentials the fuzz must get past the door: some requests succeed, not only
    # 401/404/422. Anonymous callers mostly meet 401 by design (most operations need a token),
    # and 150 random requests may all draw such operations.
    assert not must_pass or any(status < 300 for status in statuses), statuses
    return failures


@pytest.fixture
def site(db):
    """An organizer with an on-sale event, an order, a check-in list with a paired device, an
    admin API token; and the ids the fuzz swaps into path parameters."""
    shop = make_shop()
    organizer = shop.organizer
    order = shop.checkout("stalls/B/1", "stalls/B/2")
    door = make_door(organizer, shop.event)
    admin = make_member(organizer, Role.ADMIN)
    _, token = tenant_services.create_api_token(
        organizer=organizer,
        name="fuzz",
        role=Role.ADMIN,
        actor=Actor(kind=ActorKind.USER, id=admin.pk, label=admin.email, role="admin", user=admin),
    )
    with schema_context(organizer.schema_name):
        stored = Order.objects.get(code=order["order_code"])
        seat_map = shop.event.seat_map_version.seat_map
        venue = seat_map.venue
    ids = {
        "event": [shop.event.uid, shop.event.slug],
        "code": [stored.code],
        "list": [door.list_id],
        "device": list(door.devices),
        "map": [seat_map.uid],
        "venue": [venue.uid],
        "token": [shop.hold("stalls/C/1", "stalls/C/2")],  # a hold's token
    }
    return shop, door, token, ids


def test_organizer_api_never_answers_5xx(site):
    shop, door, token, ids = site
    host = host_of(shop.organizer)
    client = Client(HTTP_HOST=host)
    schema = _schema(client, "/api/v1/openapi.json")
    failures = []
    failures += _fuzz(client, schema, host=host, examples=150, ids=ids, must_pass=False)
    # The device before the admin, whose fuzz may revoke it or give it a new pairing code.
    checkin = schema.include(path_regex="^/api/v1/checkin/")
    failures += _fuzz(client, checkin, host=host, examples=100, ids=ids,
                      headers={"Authorization": f"Device {door.tokens[0]}"})  # fmt: skip
    # Revoking its own token would leave the admin's remaining requests at 401.
    admin = schema.exclude(method="DELETE", path_regex=r"/tokens/\{token_id\}$")
    failures += _fuzz(client, admin, host=host, examples=300, ids=ids,
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert not failures, "\n".join(failures)


def test_platform_api_never_answers_5xx(db):
    make_shop()
    client = Client(HTTP_HOST="localhost")
    schema = _schema(client, "/api/platform/openapi.json")
    failures = _fuzz(client, schema, host="localhost", examples=100, ids={}, must_pass=False)
    staff = Client(HTTP_HOST="localhost")
    staff.force_login(User.objects.create_superuser("ops@boxoffice.example", "x" * 20))
    failures += _fuzz(staff, schema, host="localhost", examples=100, ids={"organizer": ["alpha"]})
    assert not failures, "\n".join(failures)
