# The Django admin is not mounted: operators use `kumiai` commands, tenants use the portal.
