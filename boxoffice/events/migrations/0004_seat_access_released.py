"""Wheelchair spaces and companion seats can be released for general sale by the organizer."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_seat_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventseat",
            name="access_released",
            field=models.BooleanField(default=False),
        ),
    ]
