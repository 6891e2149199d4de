"""Staff logins and user accounts."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from gongzhi.errors import DomainError

from ..models import User
from ._common import minute_after, phone_clean, validation_fields

logger = logging.getLogger("gongzhi.accounts")

# Staff password login: our policy against password guessing (per username).
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW = timedelta(minutes=15)


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
            % {"time": minute_after(retry_at + LOGIN_WINDOW)},
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
                % {"time": minute_after(now + LOGIN_WINDOW)},
            )
        raise DomainError(
            "login_failed",
            _("用户名或密码错误，还可再试%(left)d次。") % {"left": left},
        )
    cache.delete(_login_key(username))
    return user


# --------------------------------------------------------------------------- users


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
                "user_invalid", _("用户信息有误。"), fields=validation_fields(exc)
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
    phone = phone_clean(phone)
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
