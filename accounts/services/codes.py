"""One-time login codes for owners' phones (hashed at rest, send and try limits reserved first)."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core.errors import DomainError
from estates.models import Person

from .. import sms
from ..models import PhoneCode, TryCounter, User
from ..phones import mask_phone
from ._common import minute_after, phone_clean
from .limits import try_reserve

logger = logging.getLogger("gongzhi.accounts")

CODE_RE = re.compile(r"^[0-9]{6}$")
CODE_HMAC_SALT = "gongzhi.accounts.PhoneCode"
# Code rows older than this are purged; the send limits count in windows of an hour.
CODE_KEEP = timedelta(hours=24)
SEND_WINDOW = timedelta(hours=1)


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

    return Person.objects.filter(phone=phone, user__isnull=True).exists()


class BindingRequired(DomainError):
    """The code was right, the phone is in the register, but no login is bound to it yet.

    ``code_pk`` names the code just used: the ID numbers tried next are counted
    on it (``id_number_try_reserve``).
    """

    def __init__(self, phone: str, code_pk: int):
        super().__init__(
            "binding_required",
            _("首次登录：请输入您的身份证号码，与业主名册核对后完成绑定。"),
        )
        self.phone = phone
        self.code_pk = code_pk


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


def _send_reserve(phone: str, client_ip: str | None, now: datetime) -> None:
    """Reserve this send against the phone's and the client address's hourly limits.

    Inside the caller's transaction: a refusal by the second limit rolls the
    first reservation back, so a refused send costs nothing.
    """
    limit = settings.GONGZHI_CODE_SENDS_PER_HOUR
    tries = try_reserve(
        kind=TryCounter.Kind.CODE_SEND, subject=phone, limit=limit, window=SEND_WINDOW, now=now
    )
    if not tries.reserved:
        raise DomainError(
            "code_send_limit",
            _("该手机号1小时内已发送%(count)d次验证码，请于 %(time)s 后再试")
            % {"count": limit, "time": minute_after(tries.window_ends)},
        )
    if not client_ip:
        return
    limit = settings.GONGZHI_CODE_SENDS_PER_IP_PER_HOUR
    tries = try_reserve(
        kind=TryCounter.Kind.CODE_SEND_IP,
        subject=client_ip,
        limit=limit,
        window=SEND_WINDOW,
        now=now,
    )
    if not tries.reserved:
        raise DomainError(
            "code_send_ip_limit",
            _("您所在的网络1小时内已发送%(count)d次验证码，请于 %(time)s 后再试")
            % {"count": limit, "time": minute_after(tries.window_ends)},
        )


def code_send(*, phone: str, client_ip: str | None = None, now: datetime | None = None) -> CodeSent:
    """Issue a 6-digit login code for ``phone`` and text it if the phone is registered.

    A phone not in the register gets nothing (RULES.md §3), yet it is handled
    exactly like a registered one up to the SMS: a row is stored (holding the
    hash of a random code nobody is ever told), the hourly send limit counts
    it, and verifying against it fails the same way. Otherwise anyone could
    learn who owns a home in the district by typing numbers into the login
    page and watching for a different answer or a limit that never comes.

    At most GONGZHI_CODE_SENDS_PER_HOUR sends per phone and, when the caller
    names the client address, GONGZHI_CODE_SENDS_PER_IP_PER_HOUR per address
    in a window of an hour from the first send (services.limits): each send is
    reserved on a counter row, one for every phone whether or not it has an
    account, so simultaneous requests cannot pass the limit. The SMS itself is
    sent after commit (STYLE.md §6).
    """
    phone = phone_clean(phone)
    now = now or timezone.now()
    expires_at = now + timedelta(seconds=settings.GONGZHI_CODE_TTL_SECONDS)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        _send_reserve(phone, client_ip, now)
        account = User.objects.filter(phone=phone).first()
        recipient = account if account is not None and _is_owner_login(account) else None
        if account is None and register_phone_unbound(phone):
            recipient = phone  # first login: bound to the register after the code (RULES.md §3)
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
    A code is used once, is compared at most GONGZHI_CODE_MAX_TRIES times,
    and expires GONGZHI_CODE_TTL_SECONDS after it was sent (at that instant).

    Each try is reserved before the code is compared, by one conditional
    UPDATE of the code row (``tries < max``, unused, unexpired) that commits
    on its own: however many requests arrive at once, at most
    GONGZHI_CODE_MAX_TRIES of them are ever compared, and a reserved try
    stays counted whatever the outcome.
    """
    phone = phone_clean(phone)
    code = (code or "").strip()
    if not CODE_RE.match(code):
        message = _("请输入6位数字验证码。")
        raise DomainError("code_invalid", message, fields={"code": message})
    now = now or timezone.now()
    max_tries = settings.GONGZHI_CODE_MAX_TRIES
    row = PhoneCode.objects.filter(phone=phone).order_by("-created_at", "-pk").first()
    if row is None:
        raise _code_errors("missing", max_tries)
    reserved = PhoneCode.objects.filter(
        pk=row.pk, used_at__isnull=True, tries__lt=max_tries, expires_at__gt=now
    ).update(tries=F("tries") + 1)
    row.refresh_from_db(fields=["tries", "used_at"])
    if not reserved:
        if row.used_at is not None:
            raise _code_errors("used", 0)
        raise _code_errors("locked" if row.tries >= max_tries else "expired", 0)
    user = code_login_user(phone)
    right = constant_time_compare(row.code_hash, code_hash(phone=phone, code=code))
    # A phone without an owner login fails here like a wrong code (see code_send).
    if right and (user is not None or register_phone_unbound(phone)):
        # Used once: of simultaneous right tries, the one that sets used_at wins.
        if not PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
            raise _code_errors("used", 0)
        if user is None:
            raise BindingRequired(phone, row.pk)
        return user
    left = max_tries - row.tries
    raise _code_errors("locked" if left <= 0 else "wrong", left)


def id_number_try_reserve(*, phone: str, code_pk: int | None) -> int:
    """Reserve one resident-ID try on the code the owner just used; return the tries left.

    First login (RULES.md §3): after the code, the ID number is matched to the
    register, at most GONGZHI_ID_MAX_TRIES times per code; then a new code is
    needed (itself limited per hour). Called before the register is searched,
    by one conditional UPDATE that commits on its own, so parallel requests
    from one session or many check no more ID numbers than that.
    """
    max_tries = settings.GONGZHI_ID_MAX_TRIES
    rows = PhoneCode.objects.filter(pk=code_pk, phone=phone, used_at__isnull=False)
    if code_pk is None or not rows.filter(id_tries__lt=max_tries).update(
        id_tries=F("id_tries") + 1
    ):
        raise DomainError("id_tries_used_up", _("身份证号码多次不一致，请重新获取验证码后再试。"))
    return max_tries - rows.values_list("id_tries", flat=True).get()


def code_purge(*, now: datetime | None = None) -> int:
    """Delete code rows older than a day (they only ever matter for an hour)."""
    now = now or timezone.now()
    deleted, _by_model = PhoneCode.objects.filter(created_at__lt=now - CODE_KEEP).delete()
    return deleted


# --------------------------------------------------------------------------- staff password login
