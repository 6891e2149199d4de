"""Shared factories (factory-boy). Valid Chinese identifiers are built with their checksums."""

from __future__ import annotations

import factory
from stdnum.cn import ric, uscc

from accounts.models import Role, RoleAssignment, User
from estates.models import Community, ManagementArea, PropertyCompany, Street


def make_uscc(n: int) -> str:
    """A valid 统一社会信用代码 (91 = enterprise, 341302 = 埇桥区) with its check character.

    The factory counts up from 0 for the whole run; a test that picks its own number uses
    one from 9,000,000 up, which the sequence never reaches."""
    body = f"91341302MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def make_ric(n: int, birth: str = "19800101") -> str:
    """A valid 18-digit resident ID number for 埇桥区 (341302), synthetic."""
    body = f"341302{birth}{n % 1000:03d}"
    # stdnum's calc_check_digit takes all 18 characters and ignores the last one.
    return body + ric.calc_check_digit(body + "0")


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"测试街道{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"测试社区{n}")


class PropertyCompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyCompany

    name = factory.Sequence(lambda n: f"测试物业服务有限公司{n}")
    uscc = factory.Sequence(make_uscc)


class ManagementAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManagementArea

    community = factory.SubFactory(CommunityFactory)
    code = factory.Sequence(lambda n: f"A{n:04d}")
    name = factory.Sequence(lambda n: f"测试小区{n}物业管理区域")
    estate_name = factory.Sequence(lambda n: f"测试小区{n}")
    committee_status = ManagementArea.CommitteeStatus.OWNERS_COMMITTEE


class UserFactory(factory.django.DjangoModelFactory):
    """A staff login (username + password ``pass-word-123``)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    display_name = factory.Sequence(lambda n: f"工作人员{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OwnerUserFactory(factory.django.DjangoModelFactory):
    """An owner login: phone only, no password."""

    class Meta:
        model = User

    username = None
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    display_name = factory.Sequence(lambda n: f"业主{n}")


def grant(user: User, role: str, scope=None) -> RoleAssignment:
    """Give ``user`` ``role`` over ``scope`` (area, company, street, community or None)."""
    kwargs = {}
    if scope is not None:
        kwargs = {
            ManagementArea: {"area": scope},
            PropertyCompany: {"company": scope},
            Street: {"street": scope},
            Community: {"community": scope},
        }[type(scope)]
    assignment = RoleAssignment(user=user, role=role, **kwargs)
    assignment.full_clean()
    assignment.save()
    if hasattr(user, "_gongzhi_roles"):
        del user._gongzhi_roles
    return assignment


__all__ = [
    "CommunityFactory",
    "ManagementAreaFactory",
    "OwnerUserFactory",
    "PropertyCompanyFactory",
    "Role",
    "StreetFactory",
    "UserFactory",
    "grant",
    "make_ric",
    "make_uscc",
]
