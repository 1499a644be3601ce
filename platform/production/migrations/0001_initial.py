"""Work from accepted offers and its operations on machines."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('offers', '0001_initial'),
        ('orders', '0002_line_status_label'),
        ('shops', '0002_capability'),
        ('tenancy', '0003_trigram_search'),
    ]

    operations = [
        migrations.CreateModel(
            name='Work',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('started', 'Started'), ('done', 'Done')], default='planned', max_length=10)),
                ('due_date', models.DateField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('buyer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.organization')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orders.orderline')),
                ('offer', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='work', to='offers.offer')),
                ('shop', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.organization')),
            ],
            options={
                'ordering': ['due_date', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Operation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveSmallIntegerField()),
                ('process', models.CharField(max_length=20)),
                ('start', models.DateTimeField()),
                ('end', models.DateTimeField()),
                ('started', models.BooleanField(default=False)),
                ('machine', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='shops.machine')),
                ('work', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='operations', to='production.work')),
            ],
            options={
                'ordering': ['machine_id', 'start'],
                'constraints': [models.UniqueConstraint(fields=('work', 'seq'), name='one_op_per_step')],
            },
        ),
    ]
