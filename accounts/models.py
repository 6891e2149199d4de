"""Users, their roles with scopes, and one-time login codes.

Owners log in with a phone number and a one-time SMS code; staff log in with
a username and password, and bureau approvers and admins also with TOTP.
What a user may do is decided only in ``accounts.permissions``.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .phones import mask_phone, phone_validator


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username=None, password=None, *, phone=None, **extra):
        if not username and not phone:
            raise ValueError("A user needs a username (staff) or a phone number (owner).")
        user = self.model(username=username or None, phone=phone or None, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(username=username)


class User(AbstractBaseUser, PermissionsMixin):
    """One person's login. Owners have a phone and no password; staff a username."""

    username = models.CharField(_("用户名"), max_length=150, unique=True, null=True, blank=True)
    phone = models.CharField(
        _("手机号"), max_length=11, unique=True, null=True, blank=True, validators=[phone_validator]
    )
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    is_staff = models.BooleanField(_("可进入后台"), default=False)
    date_joined = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(username__isnull=False) | Q(phone__isnull=False),
                name="user_has_username_or_phone",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username or mask_phone(self.phone or "")

    def clean(self):
        super().clean()
        if self.username == "":
            self.username = None
        if self.phone == "":
            self.phone = None
        if not self.username and not self.phone:
            raise ValidationError(_("用户必须有用户名或手机号。"))

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone or "")


class Role(models.TextChoices):
    """The roles of DESIGN.md "People and roles". Each has one kind of scope."""

    OWNER = "owner", _("业主")
    COMMITTEE_MEMBER = "committee_member", _("业委会/物管会成员")
    PROPERTY_STAFF = "property_staff", _("物业服务企业人员")
    STREET_OFFICER = "street_officer", _("街道工作人员")
    COMMUNITY_OFFICER = "community_officer", _("社区工作人员")
    BUREAU_REVIEWER = "bureau_reviewer", _("住建局审核员")
    BUREAU_APPROVER = "bureau_approver", _("住建局审批人")
    BUREAU_ADMIN = "bureau_admin", _("住建局管理员")


# Which scope field each role must carry (and no other). Bureau roles are district-wide.
ROLE_SCOPE_FIELD: dict[str, str | None] = {
    Role.OWNER: "area",
    Role.COMMITTEE_MEMBER: "area",
    Role.PROPERTY_STAFF: "company",
    Role.STREET_OFFICER: "street",
    Role.COMMUNITY_OFFICER: "community",
    Role.BUREAU_REVIEWER: None,
    Role.BUREAU_APPROVER: None,
    Role.BUREAU_ADMIN: None,
}
SCOPE_FIELDS = ("area", "company", "street", "community")
# Roles whose actions need a second factor (TOTP) on top of the password.
OTP_ROLES = frozenset({Role.BUREAU_APPROVER, Role.BUREAU_ADMIN})
STAFF_ROLES = frozenset(set(Role) - {Role.OWNER})


class RoleAssignment(models.Model):
    """A user holds a role within one scope. A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("物业管理区域"),
    )
    company = models.ForeignKey(
        "estates.PropertyCompany",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("物业服务企业"),
    )
    street = models.ForeignKey(
        "estates.Street", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("街道")
    )
    community = models.ForeignKey(
        "estates.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("社区"),
    )
    granted_at = models.DateTimeField(_("授予时间"), default=timezone.now)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            # One row per (user, role, scope); written per scope kind because
            # NULLs are distinct in a plain unique constraint.
            *[
                models.UniqueConstraint(
                    fields=["user", "role", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"role_assignment_unique_{field}",
                )
                for field in ("area", "company", "street", "community")
            ],
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(role__in=["bureau_reviewer", "bureau_approver", "bureau_admin"]),
                name="role_assignment_unique_district",
            ),
            # Each role carries exactly the scope of its kind (ROLE_SCOPE_FIELD).
            models.CheckConstraint(
                name="role_assignment_scope_matches_role",
                condition=(
                    Q(
                        role__in=["owner", "committee_member"],
                        area__isnull=False,
                        company__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                    )
                    | Q(
                        role="property_staff",
                        company__isnull=False,
                        area__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                    )
                    | Q(
                        role="street_officer",
                        street__isnull=False,
                        area__isnull=True,
                        company__isnull=True,
                        community__isnull=True,
                    )
                    | Q(
                        role="community_officer",
                        community__isnull=False,
                        area__isnull=True,
                        company__isnull=True,
                        street__isnull=True,
                    )
                    | Q(
                        role__in=["bureau_reviewer", "bureau_approver", "bureau_admin"],
                        area__isnull=True,
                        company__isnull=True,
                        street__isnull=True,
                        community__isnull=True,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = self.scope
        return f"{self.get_role_display()} · {scope}" if scope else self.get_role_display()

    @property
    def scope(self):
        field = ROLE_SCOPE_FIELD[self.role]
        return getattr(self, field) if field else None

    def clean(self):
        super().clean()
        wanted = ROLE_SCOPE_FIELD.get(self.role)
        for field in SCOPE_FIELDS:
            has = getattr(self, f"{field}_id") is not None
            if field == wanted and not has:
                raise ValidationError({field: _("该角色必须指定此范围。")})
            if field != wanted and has:
                raise ValidationError({field: _("该角色不能指定此范围。")})


class PhoneCode(models.Model):
    """A one-time login code sent by SMS. Only a keyed hash of the code is stored."""

    phone = models.CharField(max_length=11, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    # Tries of this code, each reserved before the code is compared (services.codes).
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    # First login: resident ID numbers tried after this code was verified (RULES.md §3),
    # each reserved before the register is searched.
    id_tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["phone", "-created_at"], name="phonecode_phone_recent")]

    def __str__(self) -> str:
        return f"code for {mask_phone(self.phone)}"


class TryCounter(models.Model):
    """Tries of one kind by one subject in the current window (accounts.services.limits).

    A try is reserved here, by one conditional UPDATE, before the secret it
    carries is checked, so no number of parallel requests checks more than
    ``limit`` secrets in a window. The subject (a username, a phone, a user,
    a client address) is stored only as a keyed HMAC: the table says nothing
    about who tried. A phone that has no account gets a row like any other.
    """

    class Kind(models.TextChoices):
        PASSWORD = "password", _("工作人员密码")
        TOTP = "totp", _("动态口令")
        CODE_SEND = "code_send", _("向手机号发送验证码")
        CODE_SEND_IP = "code_send_ip", _("同一网络地址发送验证码")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="trycounter_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:8]}… {self.count}"
