"""TOTP devices for bureau approvers and admins."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record
from core.errors import Conflict, DomainError

from ..models import TryCounter, User
from ._common import minute_after
from .limits import tries_clear, try_reserve

logger = logging.getLogger("gongzhi.accounts")

TOKEN_RE = re.compile(r"^[0-9]{6}$")
# At most GONGZHI_TOTP_MAX_TRIES codes checked per user in this window (our policy).
TOTP_WINDOW = timedelta(minutes=15)


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
        _("动态口令错误次数过多，请于 %(time)s 后再试") % {"time": minute_after(until)}
        if until
        else _("动态口令错误次数过多，请稍后再试")
    )
    return DomainError("otp_throttled", message, fields={"token": message})


def _try_reserve(user: User) -> DomainError | None:
    """Reserve a try for ``user`` before a code is checked; the refusal when none is left.

    django-otp's delay (1, 2, 4 … seconds) is kept on the locked device row;
    this count is the hard cap: however many requests arrive at once, at most
    GONGZHI_TOTP_MAX_TRIES codes are checked per user per TOTP_WINDOW.
    """
    tries = try_reserve(
        kind=TryCounter.Kind.TOTP,
        subject=str(user.pk),
        limit=settings.GONGZHI_TOTP_MAX_TRIES,
        window=TOTP_WINDOW,
    )
    if tries.reserved:
        return None
    message = _("动态口令错误次数过多，请于 %(time)s 后再试") % {
        "time": minute_after(tries.window_ends)
    }
    return DomainError("otp_locked", message, fields={"token": message})


def _tries_clear(user: User) -> None:
    tries_clear(kind=TryCounter.Kind.TOTP, subject=str(user.pk))


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
            error = Conflict("otp_device_missing", _("绑定已失效，请刷新页面重新扫码。"))
        else:
            error = _throttled(locked) or _try_reserve(user)
        if error is None:
            # verify_token saves the throttle count itself on a wrong code;
            # the error is raised after this block so that count is committed.
            if locked.verify_token(token):
                _tries_clear(user)
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
    replay guard (a code's time step is accepted once) apply, and at most
    GONGZHI_TOTP_MAX_TRIES codes per TOTP_WINDOW are checked, each try
    reserved before the code is compared (``_try_reserve``).
    """
    token = _token_clean(token)
    error = None
    device = None
    reserved = False  # one try per request, however many devices it is checked against
    with transaction.atomic():
        devices = list(
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
        )
        if not devices:
            error = Conflict("otp_no_device", _("您还没有绑定动态口令。"))
        for candidate in devices:
            error = _throttled(candidate)
            if error is None and not reserved:
                error = _try_reserve(user)
                reserved = error is None
            if error is None and candidate.verify_token(token):
                device = candidate
                _tries_clear(user)
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
