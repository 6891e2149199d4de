"""Staff logins and user accounts."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict, DomainError

from ..models import TryCounter, User
from ._common import minute_after, phone_clean, validation_fields
from .limits import Tries, tries_clear, try_reserve

logger = logging.getLogger("gongzhi.accounts")

# Staff password login: our policy against password guessing (per username).
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW = timedelta(minutes=15)


def _login_subject(username: str) -> str:
    # One count per username however it is typed (case, spaces); stored only as an HMAC.
    return username.strip().lower()


def password_try(
    *, request, username: str, password: str, now: datetime | None = None
) -> tuple[User | None, Tries]:
    """Reserve a try for ``username``, then check the password: (user or None, the tries).

    The single place a staff password is checked: the staff form calls it, and
    the Django admin's login page sends to that form (accounts.admin). At
    most LOGIN_MAX_FAILURES tries per username in a LOGIN_WINDOW that starts at
    the first: the try is reserved (services.limits) before the password is
    hashed, so parallel guesses are all counted and the ones past the limit are
    refused without checking. The right password clears the count; a wrong
    one, or the right one of a disabled login, keeps its try.
    """
    tries = try_reserve(
        kind=TryCounter.Kind.PASSWORD,
        subject=_login_subject(username),
        limit=LOGIN_MAX_FAILURES,
        window=LOGIN_WINDOW,
        now=now,
    )
    if not tries.reserved:
        return None, tries
    user = ModelBackend().authenticate(request, username=username, password=password)
    if user is not None:
        tries_clear(kind=TryCounter.Kind.PASSWORD, subject=_login_subject(username))
    return user, tries


def staff_login(*, request, username: str, password: str, now: datetime | None = None) -> User:
    """Authenticate a staff password login, refusing after repeated failures.

    At most LOGIN_MAX_FAILURES tries per username in a LOGIN_WINDOW from the
    first (``password_try``); past it every attempt is refused without even
    checking the password, until the window has passed. The count lives in
    the database, shared by every web worker (DESIGN.md "Scale").
    """
    username = (username or "").strip()
    if not username or not password:
        message = _("请输入用户名和密码。")
        raise DomainError("login_incomplete", message)
    user, tries = password_try(request=request, username=username, password=password, now=now)
    if user is not None:
        user.backend = "django.contrib.auth.backends.ModelBackend"  # as authenticate() sets it
        return user
    if not tries.reserved or tries.left <= 0:
        raise DomainError(
            "login_locked",
            _("该用户名登录失败次数过多，请于 %(time)s 后再试")
            % {"time": minute_after(tries.window_ends)},
        )
    raise DomainError(
        "login_failed",
        _("用户名或密码错误，还可再试%(left)d次。") % {"left": tries.left},
    )


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
            raise Conflict("username_taken", message, fields={"username": message})
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
            raise Conflict("username_taken", message, fields={"username": message}) from None
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
