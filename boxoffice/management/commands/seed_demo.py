import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.actors import Actor
from boxoffice.events.services import events as event_services
from boxoffice.events.services import pricing
from seatmaps import services as seatmap_services
from seatmaps.models import SeatMap, SeatMapVersion
from seatmaps.samples import load_sample
from tenants import selectors, services
from tenants.models import Organizer, User

DEMO_SLUG = "demo"
PASSWORD_FILE = "demo-owner-password"


class Command(BaseCommand):
    help = "Create the demo organizer and its owner once; later runs change nothing."

    def handle(self, *args: object, **options: object) -> None:
        email = f"owner@{DEMO_SLUG}.{settings.BASE_DOMAIN}"
        # The password is made once and kept beside the embedded database, so every `make run`
        # prints the same working credentials without hard-coding one in the repository.
        password_path = settings.DATA_DIR / PASSWORD_FILE
        if password_path.exists():
            password = password_path.read_text().strip()
        else:
            password = secrets.token_urlsafe(12)
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
            password_path.write_text(password + "\n")
            password_path.chmod(0o600)

        owner = User.objects.filter(email=email).first()
        if owner is None:
            owner = services.create_user(email=email, password=password, full_name="Demo Owner")
        elif not owner.check_password(password):
            owner.set_password(password)
            owner.save(update_fields=["password"])

        organizer = Organizer.objects.filter(slug=DEMO_SLUG).first()
        if organizer is None:
            organizer = services.provision_organizer(
                slug=DEMO_SLUG,
                name="Demo Theatre",
                owner=owner,
                currency="EUR",
                timezone_name="Europe/Amsterdam",
                actor=Actor.system("seed_demo"),
            )
            self.stdout.write(f"Created the demo organizer {organizer.slug}")
        with schema_context(organizer.schema_name):
            self._seed_venue()
        self.stdout.write(f"Demo organizer: {selectors.organizer_url(organizer)}")
        self.stdout.write(f"Owner login:    {email} / {password}")

    def _seed_venue(self) -> None:
        """The theatre sample as a published seat map, once."""
        if SeatMap.objects.exists():
            return
        actor = Actor.system("seed_demo")
        venue = seatmap_services.create_venue(
            actor=actor,
            name="Demo Theatre",
            address="Leidseplein 26",
            city="Amsterdam",
            country="NL",
            timezone_name="Europe/Amsterdam",
        )
        seat_map = seatmap_services.create_seat_map(
            actor=actor,
            venue=venue,
            name="Stalls, circle and balcony",
            document=load_sample("theatre"),
        )
        version = seatmap_services.publish_seat_map(actor=actor, seat_map=seat_map)
        self.stdout.write(f"Published the theatre seat map ({version.seat_count} seats)")
        self._seed_event(actor, version)

    def _seed_event(self, actor: Actor, version: SeatMapVersion) -> None:
        """Hamlet, on sale, with adult and concession tickets and an early-bird week."""
        starts = (timezone.now() + timedelta(days=45)).replace(
            hour=18, minute=30, second=0, microsecond=0
        )
        event = event_services.create_event(
            actor=actor,
            seat_map_version=version,
            title="Hamlet",
            slug="hamlet",
            description="Shakespeare's tragedy in a new staging.",
            category="theater",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            # What a customer sees at checkout: a service fee, VAT included in the prices, and
            # self-service cancellation (full refund until a week before, half until a day).
            fee_per_ticket=150,
            tax_rate=Decimal("9"),
            tax_inclusive=True,
            refund_policy=[{"days_before": 7, "percent": 100}, {"days_before": 1, "percent": 50}],
        )
        regular = {"premium": 6500, "standard": 4500, "economy": 2900, "restricted": 1900}
        pricing.set_price_table(
            actor=actor,
            event=event,
            ticket_types=[
                {"code": "adult", "name": "Adult"},
                {"code": "concession", "name": "Concession"},
            ],
            phases=[
                {"code": "early", "name": "Early bird", "until": timezone.now() + timedelta(7)},
                {"code": "regular", "name": "Regular", "until": None},
            ],
            prices=[
                {"category": category, "ticket_type": ticket_type, "phase": phase,
                 "amount": round(amount * (0.8 if phase == "early" else 1)
                                 * (0.75 if ticket_type == "concession" else 1))}
                for category, amount in regular.items()
                for ticket_type in ("adult", "concession")
                for phase in ("early", "regular")
            ],
        )  # fmt: skip
        event_services.change_event_status(actor=actor, event=event, action="publish")
        self.stdout.write(f"Put '{event.title}' on sale ({event.seats.count()} seats)")
