"""Offers of published placements to shops, with their answers."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('allocation', '0001_initial'),
        ('drawings', '0003_part_vectors'),
        ('orders', '0001_initial'),
        ('tenancy', '0003_trigram_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Offer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('offered', 'Offered'), ('countered', 'Counter-offer'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('expired', 'Lapsed'), ('rejected', 'Counter-offer rejected')], default='offered', max_length=12)),
                ('price_jpy', models.PositiveIntegerField()),
                ('due_date', models.DateField()),
                ('promised_date', models.DateField()),
                ('deadline', models.DateTimeField()),
                ('reason', models.CharField(blank=True, max_length=500)),
                ('counter_price_jpy', models.PositiveIntegerField(blank=True, null=True)),
                ('counter_due_date', models.DateField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('answered_at', models.DateTimeField(blank=True, null=True)),
                ('answered_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('grant', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='drawings.grant')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='offers', to='orders.orderline')),
                ('placement', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='offer', to='allocation.proposedplacement')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='allocation.allocationrun')),
                ('shop', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='offers', to='tenancy.organization')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['status', 'deadline'], name='offer_deadline')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['offered', 'countered'])), fields=('line',), name='one_open_offer_per_line')],
            },
        ),
    ]
