"""Part shapes stored in the flat shape_codec form (old .npz rows still read), and the
narrow first-stage table of the similar search, filled from today's current parts."""

import django.db.models.deletion
import pgvector.django.vector
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("drawings", "0002_claim_holder"),
        ("tenancy", "0003_trigram_search"),
    ]

    operations = [
        migrations.RenameField(
            model_name="part",
            old_name="shape_npz",
            new_name="shape_data",
        ),
        migrations.CreateModel(
            name="PartVector",
            fields=[
                (
                    "part",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="drawings.part",
                    ),
                ),
                ("shape_vec", pgvector.django.vector.VectorField(dimensions=39)),
                ("size_vec", pgvector.django.vector.VectorField(dimensions=17)),
                ("text_vec", pgvector.django.vector.VectorField(dimensions=32)),
                (
                    "drawing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="drawings.drawing",
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.suppliergroup",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.organization",
                    ),
                ),
            ],
        ),
        migrations.RunSQL(
            sql="""
                INSERT INTO drawings_partvector
                    (part_id, drawing_id, owner_id, group_id, shape_vec, size_vec, text_vec)
                SELECT p.id, p.drawing_id, d.owner_id, o.group_id,
                       p.shape_vec, p.size_vec, p.text_vec
                FROM drawings_part p
                JOIN drawings_drawing d ON d.id = p.drawing_id
                JOIN tenancy_organization o ON o.id = d.owner_id
                WHERE p.is_current
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
