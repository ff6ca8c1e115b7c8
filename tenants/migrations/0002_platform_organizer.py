"""The platform itself is the organizer row whose schema is `public` (django-tenants needs one).
Requests for BASE_DOMAIN are mapped to it by boxoffice.middleware, so it needs no Domain row."""

from django.db import migrations


def create_platform_organizer(apps, schema_editor):
    Organizer = apps.get_model("tenants", "Organizer")
    Organizer.objects.get_or_create(
        schema_name="public", defaults={"slug": "public", "name": "Boxoffice"}
    )


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [migrations.RunPython(create_platform_organizer, migrations.RunPython.noop)]
