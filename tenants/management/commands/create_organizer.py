import secrets

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from boxoffice.actors import Actor
from boxoffice.errors import DomainError
from tenants import selectors, services
from tenants.models import User


class Command(BaseCommand):
    help = "Create an organizer (schema, domain, owner). Creates the owner account if needed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="site address: <slug>.<BASE_DOMAIN>")
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument(
            "--owner-password", help="for a new owner account; generated and printed if omitted"
        )
        parser.add_argument("--currency", default="EUR")
        parser.add_argument("--timezone", default="UTC")

    def handle(self, *args: object, **options: str) -> None:
        password = options["owner_password"] or secrets.token_urlsafe(12)
        new_owner = False
        try:
            # One transaction: a refused organizer leaves no new owner account behind either.
            with transaction.atomic():
                owner = User.objects.filter(email=options["owner_email"].strip().lower()).first()
                if owner is None:
                    owner = services.create_user(email=options["owner_email"], password=password)
                    new_owner = True
                organizer = services.provision_organizer(
                    slug=options["slug"],
                    name=options["name"],
                    owner=owner,
                    currency=options["currency"],
                    timezone_name=options["timezone"],
                    actor=Actor.system("create_organizer command"),
                )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        if new_owner:
            self.stdout.write(f"Created user {owner.email} with password {password}")
        self.stdout.write(
            self.style.SUCCESS(f"Created {organizer.slug}: {selectors.organizer_url(organizer)}")
        )
