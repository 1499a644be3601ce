# Not mounted; see tenancy/admin.py.
