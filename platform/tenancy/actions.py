"""Writes on memberships and invitations: atomic, audited, side effects on commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from . import audit
from .context import Actor
from .models import Invitation, Membership, Organization, Role
from .permissions import Capability, require


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once to the inviting admin; only its hash is stored


def do_invite_user(
    email: str, role: str, *, acting: Actor, accept_url_base: str = ""
) -> IssuedInvitation:
    require(acting.membership, Capability.MANAGE_MEMBERS)
    assert acting.membership is not None
    email = User.objects.normalize_email(email).lower()
    if role not in Role.values:
        raise ValidationError(
            {"role": _("Unknown role. Valid roles: %(roles)s") % {"roles": ", ".join(Role.values)}}
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail already exists.")})
    org = acting.membership.organization
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # A new invitation to the same address replaces an open one.
        Invitation.objects.filter(
            organization=org, email=email, accepted_at=None, revoked_at=None
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            organization=org,
            email=email,
            role=role,
            token_sha256=hash_token(token),
            invited_by=acting.user,
            expires_at=timezone.now() + timedelta(seconds=settings.INVITATION_TTL_S),
        )
        audit.record(
            acting, "invitation.create", invitation, changes={"email": email, "role": role}
        )
        if accept_url_base:
            link = f"{accept_url_base.rstrip('/')}/{token}/"
            transaction.on_commit(
                lambda: send_mail(
                    subject=_("Invitation to %(org)s on Kumiai") % {"org": org.name},
                    message=_(
                        "You have been invited to join %(org)s. Open this link to set your password:\n%(link)s"
                    )
                    % {"org": org.name, "link": link},
                    from_email=None,
                    recipient_list=[email],
                    fail_silently=True,
                )
            )
    return IssuedInvitation(invitation=invitation, token=token)


def find_open_invitation(token: str) -> Invitation | None:
    try:
        inv = Invitation.objects.select_related("organization").get(token_sha256=hash_token(token))
    except Invitation.DoesNotExist:
        return None
    if inv.accepted_at or inv.revoked_at or inv.expires_at <= timezone.now():
        return None
    return inv


def do_accept_invitation(token: str, full_name: str, password: str, *, acting: Actor) -> Membership:
    with transaction.atomic():
        inv = find_open_invitation(token)
        if inv is None:
            raise ValidationError({"token": _("This invitation is invalid, used or expired.")})
        inv = Invitation.objects.select_for_update().get(pk=inv.pk)
        user = User(email=inv.email, full_name=full_name.strip())
        validate_password(password, user)
        user.set_password(password)
        user.save()
        membership = Membership.objects.create(
            user=user, organization=inv.organization, role=inv.role
        )
        inv.accepted_at = timezone.now()
        inv.save(update_fields=["accepted_at"])
        as_new_user = Actor(
            user=user,
            membership=membership,
            ip_address=acting.ip_address,
            user_agent=acting.user_agent,
        )
        audit.record(as_new_user, "invitation.accept", membership, changes={"role": inv.role})
    return membership


def _member_of_actors_org(membership: Membership, acting: Actor) -> None:
    require(acting.membership, Capability.MANAGE_MEMBERS)
    assert acting.membership is not None
    if membership.organization_id != acting.membership.organization_id:
        # Callers fetch through selectors, so this is a bug, not a user error.
        raise PermissionError("membership of another organisation")


def do_set_membership_active(membership: Membership, active: bool, *, acting: Actor) -> Membership:
    _member_of_actors_org(membership, acting)
    if not active and membership.user_id == acting.user.pk:  # type: ignore[union-attr]
        raise ValidationError(_("You cannot disable yourself."))
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        )
        if membership.is_active == active:
            return membership
        membership.is_active = active
        membership.save(update_fields=["is_active"])
        user = membership.user
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            # Access ends now: open sessions fail `is_active`, and API keys go too.
            user.api_tokens.filter(revoked_at=None).update(revoked_at=timezone.now())
        audit.record(
            acting,
            "membership.enable" if active else "membership.disable",
            membership,
            changes={"is_active": active},
        )
    return membership


def do_change_role(membership: Membership, role: str, *, acting: Actor) -> Membership:
    _member_of_actors_org(membership, acting)
    if role not in Role.values:
        raise ValidationError(
            {"role": _("Unknown role. Valid roles: %(roles)s") % {"roles": ", ".join(Role.values)}}
        )
    if membership.user_id == acting.user.pk and role != Role.ADMIN:  # type: ignore[union-attr]
        raise ValidationError(_("You cannot remove your own administrator role."))
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(acting, "membership.role", membership, changes={"role": [before, role]})
    return membership


def create_organization(
    group, name: str, kind: str, *, acting: Actor, prefecture: str = ""
) -> Organization:  # type: ignore[no-untyped-def]
    """Used by seeding and the platform operator; organisations are not self-service."""
    with transaction.atomic():
        org = Organization.objects.create(group=group, name=name, kind=kind, prefecture=prefecture)
        audit.record(acting, "organization.create", org, organization=org, changes={"kind": kind})
    return org


def add_member(
    org: Organization, email: str, full_name: str, role: str, password: str, *, acting: Actor
) -> Membership:
    """Create a user straight into an organisation (operator and demo seeding; people
    joining through the portal use invitations)."""
    with transaction.atomic():
        user = User.objects.create_user(email, password, full_name=full_name)
        membership = Membership.objects.create(user=user, organization=org, role=role)
        audit.record(
            acting,
            "membership.create",
            membership,
            organization=org,
            changes={"email": user.email, "role": role},
        )
    return membership
