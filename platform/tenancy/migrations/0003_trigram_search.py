"""Enable pg_trgm: the drawing library searches part numbers, titles and customers by
trigram similarity (typos, half-width/full-width variants, partial numbers)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0002_pgvector_and_append_only_audit")]

    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
    ]
