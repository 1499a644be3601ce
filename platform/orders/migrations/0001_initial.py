"""Orders, requests and their lines (with each line's group quote when it was made)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('drawings', '0003_part_vectors'),
        ('tenancy', '0003_trigram_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Order',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=30)),
                ('title', models.CharField(blank=True, max_length=200)),
                ('status', models.CharField(choices=[('request', 'Request'), ('placed', 'Placed'), ('cancelled', 'Cancelled')], default='request', max_length=12)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('placed_at', models.DateTimeField(blank=True, null=True)),
                ('buyer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='tenancy.organization')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('placed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='OrderLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField()),
                ('material', models.CharField(max_length=20)),
                ('thickness_mm', models.FloatField()),
                ('processes', models.JSONField()),
                ('quantity', models.PositiveIntegerField()),
                ('due_date', models.DateField()),
                ('splittable', models.BooleanField(default=False)),
                ('status', models.CharField(choices=[('open', 'Open'), ('offered', 'Offered'), ('accepted', 'Accepted'), ('cancelled', 'Cancelled')], default='open', max_length=12)),
                ('declined_by', models.JSONField(blank=True, default=list)),
                ('quote', models.JSONField(default=list)),
                ('drawing', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='drawings.drawing')),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='orders.order')),
                ('part', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='drawings.part')),
                ('revision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='drawings.revision')),
            ],
            options={
                'ordering': ['order_id', 'number'],
            },
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.UniqueConstraint(fields=('buyer', 'number'), name='order_number_unique'),
        ),
        migrations.AddIndex(
            model_name='orderline',
            index=models.Index(fields=['status'], name='line_status'),
        ),
        migrations.AddConstraint(
            model_name='orderline',
            constraint=models.UniqueConstraint(fields=('order', 'number'), name='order_line_unique'),
        ),
        migrations.AddConstraint(
            model_name='orderline',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 1)), name='line_quantity_1'),
        ),
        migrations.AddConstraint(
            model_name='orderline',
            constraint=models.CheckConstraint(condition=models.Q(('thickness_mm__gt', 0)), name='line_thickness'),
        ),
    ]
