"""The hold sweeper runs every 30 s: django-q2 schedules go down to one minute, so two of them,
half a minute apart."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

FUNC = "boxoffice.sales.tasks.sweep_expired_holds_everywhere"


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    for name, offset in (("sweep holds :00", 0), ("sweep holds :30", 30)):
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": FUNC,
                "schedule_type": "I",
                "minutes": 1,
                "repeats": -1,
                "next_run": start + timedelta(seconds=offset),
            },
        )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
