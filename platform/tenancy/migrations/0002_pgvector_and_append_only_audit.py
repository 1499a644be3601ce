"""Enable pgvector (similar-drawing search stores its descriptors there) and make the
audit log append-only in the database itself, not only in Python.

TRUNCATE is left to the table owner (Django's test flush needs it); in production the
application's role is not granted TRUNCATE (infra/README.md)."""

from django.db import migrations

AUDIT_GUARD = """
CREATE OR REPLACE FUNCTION kumiai_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tenancy_auditlog_append_only
    BEFORE UPDATE OR DELETE ON tenancy_auditlog
    FOR EACH ROW EXECUTE FUNCTION kumiai_audit_append_only();
"""

AUDIT_GUARD_REVERSE = """
DROP TRIGGER IF EXISTS tenancy_auditlog_append_only ON tenancy_auditlog;
DROP FUNCTION IF EXISTS kumiai_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS vector", migrations.RunSQL.noop),
        migrations.RunSQL(AUDIT_GUARD, AUDIT_GUARD_REVERSE),
    ]
