"""Roles and their scopes."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from core.errors import Conflict, DomainError
from estates.models import Community, ManagementArea, PropertyCompany, Street

from ..models import ROLE_SCOPE_FIELD, STAFF_ROLES, Role, RoleAssignment, User
from ._common import validation_fields

logger = logging.getLogger("gongzhi.accounts")

SCOPE_LABELS = {
    "area": gettext_lazy("物业管理区域"),
    "company": gettext_lazy("物业服务企业"),
    "street": gettext_lazy("街道"),
    "community": gettext_lazy("社区"),
}


def _scope_field_of(scope) -> str | None:

    if scope is None:
        return None
    kinds = {
        ManagementArea: "area",
        PropertyCompany: "company",
        Street: "street",
        Community: "community",
    }
    field = kinds.get(type(scope))
    if field is None:
        raise DomainError("role_scope", _("范围必须是物业管理区域、物业服务企业、街道或社区。"))
    return field


def role_scope_check(*, user: User, role: str, scope) -> str | None:
    """Validate a grant before it is made; return the scope field it uses.

    Each role carries exactly the scope of its kind (accounts.models.ROLE_SCOPE_FIELD).
    """
    if role not in Role.values:
        message = _("未知的角色：%(role)s。") % {"role": role}
        raise DomainError("role_unknown", message, fields={"role": message})
    label = Role(role).label
    wanted = ROLE_SCOPE_FIELD[role]
    given = _scope_field_of(scope)
    if wanted is None and given is not None:
        message = _("%(role)s的范围是全区，不能指定%(scope)s。") % {
            "role": label,
            "scope": SCOPE_LABELS[given],
        }
        raise DomainError("role_scope", message, fields={given: message})
    if wanted is not None and given != wanted:
        message = _("%(role)s必须指定一个%(scope)s。") % {
            "role": label,
            "scope": SCOPE_LABELS[wanted],
        }
        raise DomainError("role_scope", message, fields={wanted: message})
    if not user.is_active:
        raise Conflict("user_inactive", _("该用户已停用，不能授予角色。"))
    if role in STAFF_ROLES and not user.username:
        # Staff act with a password (and TOTP); a phone-code login never carries a staff role.
        raise DomainError(
            "role_needs_staff_login", _("工作人员角色只能授予有用户名和密码的工作人员账户。")
        )
    return wanted


def _assignment_state(assignment: RoleAssignment) -> dict:
    field = ROLE_SCOPE_FIELD[assignment.role]
    return {
        "user": assignment.user_id,
        "role": assignment.role,
        "scope": f"{field}:{getattr(assignment, f'{field}_id')}" if field else "district",
    }


def _forget_roles(user: User) -> None:
    # accounts.permissions caches a user's roles on the object for one request.
    if hasattr(user, "_gongzhi_roles"):
        del user._gongzhi_roles


def role_grant(*, user: User, role: str, scope=None, actor=None) -> RoleAssignment:
    """Give ``user`` ``role`` over ``scope``. Granting a role already held changes nothing."""
    field = role_scope_check(user=user, role=role, scope=scope)
    scope_kwargs = {field: scope} if field else {}
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = RoleAssignment.objects.filter(user=user, role=role, **scope_kwargs).first()
        if existing is not None:
            return existing
        assignment = RoleAssignment(user=user, role=role, **scope_kwargs)
        try:
            assignment.full_clean(validate_unique=False, validate_constraints=False)
            assignment.save()
        except ValidationError as exc:
            raise DomainError(
                "role_invalid", _("角色授权有误。"), fields=validation_fields(exc)
            ) from None
        audit_record(
            actor=actor,
            action="role.grant",
            obj=assignment,
            after=_assignment_state(assignment),
            summary={
                "user": str(user),
                "role": str(Role(role).label),
                "scope": str(scope) if scope is not None else str(_("全区")),
            },
        )
    _forget_roles(user)
    return assignment


def role_revoke(*, assignment: RoleAssignment, actor=None) -> None:
    """Take a role away. The audit event keeps who held what, over which scope."""
    with transaction.atomic():
        locked = (
            RoleAssignment.objects.select_for_update()
            .select_related("user")
            .filter(pk=assignment.pk)
            .first()
        )
        if locked is None:
            raise Conflict("role_missing", _("该角色授权已不存在。"))
        scope = locked.scope
        audit_record(
            actor=actor,
            action="role.revoke",
            obj=locked,
            before=_assignment_state(locked),
            summary={
                "user": str(locked.user),
                "role": str(Role(locked.role).label),
                "scope": str(scope) if scope is not None else str(_("全区")),
            },
        )
        locked.delete()
    _forget_roles(assignment.user)


# --------------------------------------------------------------------------- TOTP
