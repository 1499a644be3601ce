from django.http import HttpRequest

from .permissions import Capability, can


def membership(request: HttpRequest) -> dict[str, object]:
    m = getattr(request, "membership", None)
    return {
        "membership": m,
        "can_manage_members": can(m, Capability.MANAGE_MEMBERS),
        "can_view_audit": can(m, Capability.VIEW_AUDIT),
        "can_write": can(m, Capability.WRITE),
    }
