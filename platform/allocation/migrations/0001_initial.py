"""Allocation runs, their proposed placements, and the coordinator's weights."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orders', '0001_initial'),
        ('tenancy', '0003_trigram_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AllocationRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10)),
                ('phase', models.CharField(blank=True, max_length=20)),
                ('progress_pct', models.PositiveSmallIntegerField(default=0)),
                ('solver_status', models.CharField(blank=True, max_length=20)),
                ('objective', models.FloatField(blank=True, null=True)),
                ('weights', models.JSONField(default=dict)),
                ('pins', models.JSONField(blank=True, default=dict)),
                ('lines', models.JSONField(blank=True, default=list)),
                ('auto_publish', models.BooleanField(default=False)),
                ('reason', models.CharField(blank=True, max_length=200)),
                ('start_date', models.DateField(blank=True, null=True)),
                ('periods', models.PositiveIntegerField(default=0)),
                ('explanation', models.JSONField(blank=True, default=list)),
                ('live', models.JSONField(blank=True, default=dict)),
                ('timings', models.JSONField(blank=True, default=dict)),
                ('error', models.CharField(blank=True, max_length=500)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.organization')),
                ('previous', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='allocation.allocationrun')),
                ('published_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='GroupWeights',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cost_per_jpy', models.FloatField(default=1.0)),
                ('tardiness_per_day_jpy', models.FloatField(default=5000.0)),
                ('fairness_per_hour_jpy', models.FloatField(default=200.0)),
                ('move_per_line_jpy', models.FloatField(default=3000.0)),
                ('time_limit_s', models.FloatField(default=10.0)),
                ('organization', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='allocation_weights', to='tenancy.organization')),
            ],
        ),
        migrations.CreateModel(
            name='ProposedPlacement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('finish_date', models.DateField()),
                ('cost_jpy', models.FloatField()),
                ('late_days', models.PositiveIntegerField(default=0)),
                ('why', models.CharField(blank=True, max_length=300)),
                ('stages', models.JSONField(blank=True, default=list)),
                ('moved', models.BooleanField(default=False)),
                ('pinned', models.BooleanField(default=False)),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.orderline')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='placements', to='allocation.allocationrun')),
                ('runner_up', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenancy.organization')),
                ('shop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.organization')),
            ],
            options={
                'ordering': ['run_id', 'line_id'],
                'constraints': [models.UniqueConstraint(fields=('run', 'line'), name='one_placement_per_line')],
            },
        ),
    ]
