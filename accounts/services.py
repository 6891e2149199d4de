"""Writes for accounts: one-time login codes, staff logins, users, roles and TOTP.

Every function is keyword-only and raises ``DomainError`` for bad input.
Changes to users, roles and TOTP devices write an audit event in the same
transaction. Login bookkeeping (one-time code rows, failed-password counters,
a device's replay counter) is not audited: it is authentication state, not a
change to anything the platform decides, and writing it to the hash chain
would serialise every login of a busy vote on the chain's head lock.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record
from gongzhi.errors import DomainError

from . import sms
from .models import ROLE_SCOPE_FIELD, STAFF_ROLES, PhoneCode, Role, RoleAssignment, User
from .phones import is_valid_phone, mask_phone, normalize_phone

logger = logging.getLogger("gongzhi.accounts")

CODE_RE = re.compile(r"^[0-9]{6}$")
CODE_HMAC_SALT = "gongzhi.accounts.PhoneCode"
# Code rows older than this are purged; the send limit only looks back one hour.
CODE_KEEP = timedelta(hours=24)
SEND_WINDOW = timedelta(hours=1)

# Staff password login: our policy against password guessing (per username).
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW = timedelta(minutes=15)

SCOPE_LABELS = {
    "area": gettext_lazy("物业管理区域"),
    "company": gettext_lazy("物业服务企业"),
    "street": gettext_lazy("街道"),
    "community": gettext_lazy("社区"),
}


def _minute_after(moment: datetime) -> str:
    """Local HH:MM, rounded up, so "try again after HH:MM" is never too early."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local.strftime("%H:%M")


def _phone_clean(raw: str) -> str:
    phone = normalize_phone(raw)
    if not is_valid_phone(phone):
        message = _("请输入11位中国大陆手机号码。")
        raise DomainError("phone_invalid", message, fields={"phone": message})
    return phone


# --------------------------------------------------------------------------- one-time codes


def code_hash(*, phone: str, code: str) -> str:
    """HMAC-SHA256 of phone and code under a key derived from SECRET_KEY.

    Only this is stored. Keyed, so a copy of the database alone does not let
    anyone try the 10⁶ possible codes offline; bound to the phone, so one
    row's hash says nothing about another phone's code.
    """
    return salted_hmac(CODE_HMAC_SALT, f"{phone}:{code}", algorithm="sha256").hexdigest()


def code_login_user(phone: str) -> User | None:
    """The account a code for ``phone`` logs into, or None.

    Only owner logins (a phone and no username, accounts.models.User) log in
    by code. A staff account keeps its password even when it has a phone: a
    leaked phone number must never open a staff account (RULES.md §3).
    """
    user = User.objects.filter(phone=phone).first()
    return user if user is not None and _is_owner_login(user) else None


def _is_owner_login(user: User) -> bool:
    return user.is_active and not user.username


def register_phone_unbound(phone: str) -> bool:
    """True when the register lists ``phone`` for an owner who has no login yet.

    Such a phone may receive a code; once the code is verified the owner
    binds it by typing their resident ID number (RULES.md §3, estates.services.binding).
    """
    from estates.models import Person

    return Person.objects.filter(phone=phone, user__isnull=True).exists()


class BindingRequired(DomainError):
    """The code was right, the phone is in the register, but no login is bound to it yet."""

    def __init__(self, phone: str):
        super().__init__(
            "binding_required",
            _("首次登录：请输入您的身份证号码，与业主名册核对后完成绑定。"),
        )
        self.phone = phone


@dataclass(frozen=True)
class CodeSent:
    """What the caller may tell the person: nothing about whether the phone is registered."""

    phone: str
    expires_at: datetime


def _deliver(phone: str, text: str) -> None:
    try:
        sms.sms_send(phone=phone, text=text)
    except Exception as exc:
        # The code row is committed; the owner can ask again. The log names
        # the masked phone and the error type only, never the text: it holds the code.
        logger.error("SMS delivery to %s failed: %s", mask_phone(phone), type(exc).__name__)


def code_send(*, phone: str, now: datetime | None = None) -> CodeSent:
    """Issue a 6-digit login code for ``phone`` and text it if the phone is registered.

    A phone not in the register gets nothing (RULES.md §3), yet it is handled
    exactly like a registered one up to the SMS: a row is stored (holding the
    hash of a random code nobody is ever told), the hourly send limit counts
    it, and verifying against it fails the same way. Otherwise anyone could
    learn who owns a home in the district by typing numbers into the login
    page and watching for a different answer or a limit that never comes.
    The SMS itself is sent after commit (STYLE.md §6).
    """
    phone = _phone_clean(phone)
    now = now or timezone.now()
    expires_at = now + timedelta(seconds=settings.GONGZHI_CODE_TTL_SECONDS)
    limit = settings.GONGZHI_CODE_SENDS_PER_HOUR
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # Locking the account row serialises two simultaneous requests for one
        # registered phone, so they cannot both pass the limit below.
        account = User.objects.select_for_update().filter(phone=phone).first()
        recipient = account if account is not None and _is_owner_login(account) else None
        if account is None and register_phone_unbound(phone):
            recipient = phone  # first login: bound to the register after the code (RULES.md §3)
        recent = list(
            PhoneCode.objects.filter(phone=phone, created_at__gt=now - SEND_WINDOW)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        if len(recent) >= limit:
            # Rolling hour: the next send is allowed once the `limit`-th newest leaves the window.
            retry_at = recent[-limit] + SEND_WINDOW
            raise DomainError(
                "code_send_limit",
                _("该手机号1小时内已发送%(count)d次验证码，请于 %(time)s 后再试")
                % {"count": limit, "time": _minute_after(retry_at)},
            )
        PhoneCode.objects.create(
            phone=phone,
            code_hash=code_hash(phone=phone, code=code),
            created_at=now,
            expires_at=expires_at,
        )
        if recipient is not None:
            text = _(
                "【共治】您的登录验证码是%(code)s，%(minutes)d分钟内有效。"
                "请勿告诉他人，工作人员不会向您索要验证码。"
            ) % {"code": code, "minutes": settings.GONGZHI_CODE_TTL_SECONDS // 60}
            transaction.on_commit(partial(_deliver, phone, text))
    return CodeSent(phone=phone, expires_at=expires_at)


def _code_errors(outcome: str, left: int) -> DomainError:
    messages = {
        "missing": ("code_missing", _("请先获取验证码。")),
        "used": ("code_used", _("验证码已使用，请重新获取")),
        "locked": ("code_locked", _("验证码错误次数过多，请重新获取验证码")),
        "expired": ("code_expired", _("验证码已过期，请重新获取")),
        "wrong": ("code_wrong", _("验证码错误，还可再试%(left)d次") % {"left": left}),
    }
    code, message = messages[outcome]
    return DomainError(code, message, fields={"code": message})


def code_verify(*, phone: str, code: str, now: datetime | None = None) -> User:
    """Check a login code; return the owner's account, or raise ``DomainError``.

    Only the newest code of a phone counts: sending a new one retires the
    old, so the try limit cannot be multiplied by holding several codes.
    A code is used once, dies after GONGZHI_CODE_MAX_TRIES wrong tries, and
    expires GONGZHI_CODE_TTL_SECONDS after it was sent (at that instant).
    """
    phone = _phone_clean(phone)
    code = (code or "").strip()
    if not CODE_RE.match(code):
        message = _("请输入6位数字验证码。")
        raise DomainError("code_invalid", message, fields={"code": message})
    now = now or timezone.now()
    max_tries = settings.GONGZHI_CODE_MAX_TRIES
    with transaction.atomic():
        # Locked so two simultaneous guesses cannot both read the same try count.
        row = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone)
            .order_by("-created_at", "-pk")
            .first()
        )
        outcome, user = _code_check(row, phone, code, now, max_tries)
    # Raised after the block: a wrong try must be committed, not rolled back with the error.
    if outcome == "bind":
        raise BindingRequired(phone)
    if user is None:
        raise _code_errors(outcome, max_tries - (row.tries if row else 0))
    return user


def _code_check(row, phone, code, now, max_tries) -> tuple[str, User | None]:
    if row is None:
        return "missing", None
    if row.used_at is not None:
        return "used", None
    if row.tries >= max_tries:
        return "locked", None
    if now >= row.expires_at:
        return "expired", None
    user = code_login_user(phone)
    right = constant_time_compare(row.code_hash, code_hash(phone=phone, code=code))
    if right and (user is not None or register_phone_unbound(phone)):
        row.used_at = now
        row.save(update_fields=["used_at"])
        return ("ok" if user is not None else "bind"), user
    # A phone without an owner login fails here like a wrong code (see code_send).
    row.tries += 1
    row.save(update_fields=["tries"])
    return ("locked" if row.tries >= max_tries else "wrong"), None


def code_purge(*, now: datetime | None = None) -> int:
    """Delete code rows older than a day (they only ever matter for an hour)."""
    now = now or timezone.now()
    deleted, _by_model = PhoneCode.objects.filter(created_at__lt=now - CODE_KEEP).delete()
    return deleted


# --------------------------------------------------------------------------- staff password login


def _login_key(username: str) -> str:
    # Hashed: cache keys must be short ASCII, and a username is not logged anywhere.
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    return f"gongzhi:login-failures:{digest}"


def _recent_failures(username: str, now: datetime) -> list[int]:
    cutoff = (now - LOGIN_WINDOW).timestamp()
    return [t for t in cache.get(_login_key(username), []) if t > cutoff]


def staff_login(*, request, username: str, password: str, now: datetime | None = None) -> User:
    """Authenticate a staff password login, refusing after repeated failures.

    At most LOGIN_MAX_FAILURES failures per username in a rolling
    LOGIN_WINDOW; then every attempt is refused without even checking the
    password, until the oldest failure leaves the window. The failures live
    in the Django cache (the database, or Redis), so every web worker shares
    them (DESIGN.md "Scale"). The cache read-and-write is not atomic: two
    racing guesses may both be counted as one. That bounds an attacker's
    parallelism, not the limit's purpose.
    """
    now = now or timezone.now()
    username = (username or "").strip()
    if not username or not password:
        message = _("请输入用户名和密码。")
        raise DomainError("login_incomplete", message)
    failures = _recent_failures(username, now)
    if len(failures) >= LOGIN_MAX_FAILURES:
        retry_at = datetime.fromtimestamp(
            failures[-LOGIN_MAX_FAILURES], tz=timezone.get_current_timezone()
        )
        raise DomainError(
            "login_locked",
            _("该用户名登录失败次数过多，请于 %(time)s 后再试")
            % {"time": _minute_after(retry_at + LOGIN_WINDOW)},
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        failures.append(int(now.timestamp()))
        cache.set(_login_key(username), failures, timeout=int(LOGIN_WINDOW.total_seconds()))
        left = LOGIN_MAX_FAILURES - len(failures)
        if left <= 0:
            raise DomainError(
                "login_locked",
                _("该用户名登录失败次数过多，请于 %(time)s 后再试")
                % {"time": _minute_after(now + LOGIN_WINDOW)},
            )
        raise DomainError(
            "login_failed",
            _("用户名或密码错误，还可再试%(left)d次。") % {"left": left},
        )
    cache.delete(_login_key(username))
    return user


# --------------------------------------------------------------------------- users


def _validation_fields(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}


def _password_check(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise DomainError("password_weak", message, fields={"password": message}) from None


def _user_state(user: User) -> dict:
    return {
        "username": user.username,
        "phone_set": bool(user.phone),
        "display_name": user.display_name,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
    }


def staff_create(
    *, username: str, password: str | None, display_name: str = "", actor=None
) -> User:
    """Create a staff login. Without a password the account cannot log in until
    one is set (``manage.py changepassword USERNAME``)."""
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    try:
        if not username:
            raise ValidationError(_("请填写用户名。"))
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise DomainError("username_invalid", message, fields={"username": message}) from None
    user = User(username=username, display_name=display_name)
    if password is None:
        user.set_unusable_password()
    else:
        _password_check(password, user)
        user.set_password(password)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            message = _("用户名“%(username)s”已存在。") % {"username": username}
            raise DomainError("username_taken", message, fields={"username": message})
        try:
            user.full_clean(exclude=["password"], validate_unique=False)
            with transaction.atomic():
                user.save()
        except ValidationError as exc:
            raise DomainError(
                "user_invalid", _("用户信息有误。"), fields=_validation_fields(exc)
            ) from None
        except IntegrityError:
            message = _("用户名“%(username)s”已存在。") % {"username": username}
            raise DomainError("username_taken", message, fields={"username": message}) from None
        audit_record(
            actor=actor,
            action="user.create_staff",
            obj=user,
            after=_user_state(user),
            summary={"username": username, "password_set": password is not None},
        )
    return user


def staff_password_set(*, user: User, password: str, actor=None) -> User:
    """Set a staff login's password (validated by AUTH_PASSWORD_VALIDATORS)."""
    _password_check(password, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        audit_record(actor=actor, action="user.password_set", obj=locked, summary={})
    user.password = locked.password
    return locked


def owner_user_ensure(*, phone: str, display_name: str = "", actor=None) -> User:
    """The login of the owner with this phone, created if missing (idempotent).

    Called by the register import for every owner with a phone; running the
    import twice changes nothing. A changed name in the register is copied.
    """
    phone = _phone_clean(phone)
    display_name = (display_name or "").strip()[:100]
    with transaction.atomic():
        user = User.objects.select_for_update().filter(phone=phone).first()
        if user is not None:
            if display_name and user.display_name != display_name:
                before = _user_state(user)
                user.display_name = display_name
                user.save(update_fields=["display_name"])
                audit_record(
                    actor=actor,
                    action="user.rename",
                    obj=user,
                    before=before,
                    after=_user_state(user),
                    summary={"display_name": display_name},
                )
            return user
        user = User(phone=phone, display_name=display_name)
        user.set_unusable_password()
        try:
            # Savepoint: an import running at the same time may create this phone first.
            with transaction.atomic():
                user.save()
        except IntegrityError:
            return User.objects.get(phone=phone)
        audit_record(
            actor=actor,
            action="user.create_owner",
            obj=user,
            after=_user_state(user),
            summary={"display_name": display_name},
        )
    return user


def user_set_active(*, user: User, is_active: bool, actor=None) -> User:
    """Enable or disable a login; a disabled user can neither log in nor get codes."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == is_active:
            return locked
        before = _user_state(locked)
        locked.is_active = is_active
        locked.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="user.activate" if is_active else "user.deactivate",
            obj=locked,
            before=before,
            after=_user_state(locked),
            summary={"user": str(locked)},
        )
    return locked


# --------------------------------------------------------------------------- roles


def _scope_field_of(scope) -> str | None:
    from estates.models import Community, ManagementArea, PropertyCompany, Street

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
        raise DomainError("user_inactive", _("该用户已停用，不能授予角色。"))
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
                "role_invalid", _("角色授权有误。"), fields=_validation_fields(exc)
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
            raise DomainError("role_missing", _("该角色授权已不存在。"))
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


TOKEN_RE = re.compile(r"^[0-9]{6}$")


def _token_clean(token: str) -> str:
    token = re.sub(r"\s", "", token or "")
    if not TOKEN_RE.match(token):
        message = _("请输入手机动态口令应用显示的6位数字。")
        raise DomainError("otp_token_invalid", message, fields={"token": message})
    return token


def _throttled(device: TOTPDevice) -> DomainError | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    message = (
        _("动态口令错误次数过多，请于 %(time)s 后再试") % {"time": _minute_after(until)}
        if until
        else _("动态口令错误次数过多，请稍后再试")
    )
    return DomainError("otp_throttled", message, fields={"token": message})


def totp_device_start(*, user: User) -> TOTPDevice:
    """The device being enrolled: the user's unconfirmed one, or a new one.

    Reusing it keeps the secret (and the QR code) the same when the page is
    reloaded. Not audited: an unconfirmed device verifies nothing; confirming
    it is the change that counts (``totp_device_confirm``).
    """
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="手机动态口令", confirmed=False)
    return device


def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm enrolment with the first code from the app; replaces any older device.

    The caller must only offer enrolment to a user with no confirmed device,
    or one who has passed TOTP in this session: otherwise a stolen password
    would be enough to enrol the thief's phone.
    """
    token = _token_clean(token)
    error = None
    with transaction.atomic():
        locked = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device.pk, user=user, confirmed=False)
            .first()
        )
        if locked is None:
            error = DomainError("otp_device_missing", _("绑定已失效，请刷新页面重新扫码。"))
        else:
            error = _throttled(locked)
        if error is None:
            # verify_token saves the throttle count itself on a wrong code;
            # the error is raised after this block so that count is committed.
            if locked.verify_token(token):
                replaced = TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk)
                replaced_count = replaced.count()
                replaced.delete()
                locked.confirmed = True
                locked.save(update_fields=["confirmed"])
                audit_record(
                    actor=user,
                    action="user.totp_enrolled",
                    obj=user,
                    summary={"device": locked.persistent_id, "replaced": replaced_count},
                )
            else:
                message = _("动态口令不正确。请确认手机时间准确后，输入应用中当前显示的6位数字。")
                error = DomainError("otp_token_wrong", message, fields={"token": message})
    if error is not None:
        raise error
    return locked


def totp_verify(*, user: User, token: str) -> TOTPDevice:
    """Check a code against the user's confirmed device; return the device that accepted it.

    django-otp's throttling (1, 2, 4 … seconds after each failure) and its
    replay guard (a code's time step is accepted once) apply.
    """
    token = _token_clean(token)
    error = None
    device = None
    with transaction.atomic():
        devices = list(
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
        )
        if not devices:
            error = DomainError("otp_no_device", _("您还没有绑定动态口令。"))
        for candidate in devices:
            error = _throttled(candidate)
            if error is None and candidate.verify_token(token):
                device = candidate
                break
        if device is None and error is None:
            message = _("动态口令不正确，请输入应用中当前显示的6位数字。")
            error = DomainError("otp_token_wrong", message, fields={"token": message})
    if device is None:
        raise error
    return device


def totp_reset(*, user: User, actor=None) -> int:
    """Remove a user's TOTP devices (a lost phone); they enrol again at next login."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        devices = TOTPDevice.objects.filter(user=user)
        count = devices.count()
        if count:
            devices.delete()
            audit_record(
                actor=actor,
                action="user.totp_reset",
                obj=user,
                summary={"user": str(user), "devices": count},
            )
    return count
