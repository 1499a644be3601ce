"""An open line reads "waiting for allocation": "open" read as a verb in Japanese."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='orderline',
            name='status',
            field=models.CharField(choices=[('open', 'Waiting for allocation'), ('offered', 'Offered'), ('accepted', 'Accepted'), ('cancelled', 'Cancelled')], default='open', max_length=12),
        ),
    ]
