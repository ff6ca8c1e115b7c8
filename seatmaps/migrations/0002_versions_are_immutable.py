"""Published seat-map versions never change: the database itself refuses UPDATE and DELETE on
versions, their seats and their areas, whatever code path tries."""

from django.db import migrations

TABLES = ["seatmaps_seatmapversion", "seatmaps_versionseat", "seatmaps_versionarea"]

CREATE_FUNCTION = """
CREATE FUNCTION seatmaps_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published seat-map versions are immutable (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""

CREATE_TRIGGERS = "\n".join(
    f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
    f"FOR EACH ROW EXECUTE FUNCTION seatmaps_refuse_change();"
    for table in TABLES
)
DROP_TRIGGERS = "\n".join(f"DROP TRIGGER {table}_immutable ON {table};" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [("seatmaps", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE_FUNCTION, "DROP FUNCTION seatmaps_refuse_change();"),
        migrations.RunSQL(CREATE_TRIGGERS, DROP_TRIGGERS),
    ]
