"""Binding an owner's phone to their place in the register (RULES.md §3).

The first time an owner logs in, a one-time code proves they hold the phone
and their resident ID number, matched through the HMAC column, proves they
are the person the register lists with that phone. Only then is a login
created and linked. A phone alone never suffices: that was the hole city
platforms had, where property staff voted with owners' leaked numbers.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, RoleAssignment, User
from accounts.services import owner_user_ensure, role_grant, role_revoke
from audit.services import audit_record
from core.errors import Conflict, DomainError

from ..crypto import id_hmac, normalize_id
from ..models import ManagementArea, Ownership, Person

MISMATCH = "id_mismatch"


def owner_bind(*, phone: str, id_number: str) -> User:
    """Link the login of ``phone`` to the register person with ``id_number``.

    The caller has verified a one-time code for ``phone``. The same message
    is given whether the ID number is unknown or belongs to someone listed
    with another phone, so the form reveals nothing about the register.
    """
    number = normalize_id(id_number)
    if len(number) != 18:
        message = _("请输入18位居民身份证号码。")
        raise DomainError("id_invalid", message, fields={"id_number": message})
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(id_hmac=id_hmac(number)).first()
        if person is None or person.phone != phone:
            message = _("身份证号码与业主名册中该手机号的登记信息不一致。")
            raise DomainError(MISMATCH, message, fields={"id_number": message})
        user = owner_user_ensure(phone=phone, display_name=person.name)
        if person.user_id is not None and person.user_id != user.pk:
            message = _("该业主已绑定其他手机号。如需更换，请联系业委会或住建局更新名册。")
            raise Conflict("already_bound", message, fields={"id_number": message})
        if person.user_id is None:
            person.user = user
            person.save(update_fields=["user"])
            audit_record(
                actor=user,
                action="owner.bind",
                obj=person,
                summary={"person": person.pk, "user": user.pk},
            )
        owner_roles_sync(person=person)
    return user


def owner_roles_sync(*, person: Person, actor=None) -> None:
    """Make the owner role of ``person``'s login match the areas where they own a unit now.

    Called on binding and after a sale changes who owns what, so a seller
    loses the owner role of an area where they no longer own anything.
    """
    if person.user_id is None:
        return
    user = person.user
    areas = set(
        Ownership.objects.filter(person=person, until__isnull=True).values_list(
            "unit__area_id", flat=True
        )
    )
    held = {a.area_id: a for a in RoleAssignment.objects.filter(user=user, role=Role.OWNER)}
    for area in ManagementArea.objects.filter(pk__in=areas - set(held)).order_by("pk"):
        role_grant(user=user, role=Role.OWNER, scope=area, actor=actor)
    for area_id in sorted(set(held) - areas):
        role_revoke(assignment=held[area_id], actor=actor)
