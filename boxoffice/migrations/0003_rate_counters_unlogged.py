"""Rate-limit counters skip the write-ahead log: every hold request updates one, and a logged
update made each request wait for a WAL flush (fsync) of its own (~0.3 ms of server CPU and more
of latency in the ticket war). Losing the counters in a crash only restarts the windows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("boxoffice", "0002_rate_counters")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE boxoffice_ratecounter SET UNLOGGED",
            "ALTER TABLE boxoffice_ratecounter SET LOGGED",
        )
    ]
