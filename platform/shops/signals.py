"""What other apps may listen to. shops sits below drawings and offers, so it never
calls them: it says what changed, after the change is committed."""

from django.dispatch import Signal

# A shop's current cost profile changed (sent on commit): quotes priced with the old
# version are out of date. Arguments: shop_id, group_id, version.
profile_changed = Signal()

# A shop's capability, machines, calendar, closures or fairness shares changed (sent on
# commit): its capacity and what it can make may differ. Arguments: shop_id, group_id.
capability_changed = Signal()
