"""Login pages: owners by phone + one-time code, staff by password, then TOTP for the bureau.

Thin views (STYLE.md §3): parse the form, call one service, render or
redirect. Everything works without JavaScript: the owner's "获取验证码" is a
plain form post that comes back to the same page with the code field shown.
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import user_has_device

from core.errors import DomainError
from core.forms import place_error

from . import permissions, services
from .binding import owner_bind
from .forms import BindForm, OwnerLoginForm, PhoneForm, StaffLoginForm, TokenForm
from .middleware import otp_redirect_url
from .models import OTP_ROLES
from .phones import mask_phone

# The phone a code was just sent to, so the code step can be shown after a redirect.
LOGIN_PHONE_KEY = "accounts.login_phone"


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def client_address(request) -> str:
    """The client's address for the per-address send limit.

    REMOTE_ADDR, unless GONGZHI_TRUSTED_PROXIES reverse proxies stand in
    front: then the address the nearest of them appended to X-Forwarded-For
    (entries further left are whatever the client wrote and are ignored).
    """
    proxies = settings.GONGZHI_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _after_login(request, next_url: str):
    # request.user is now the freshly logged-in user, not verified by TOTP.
    if permissions.needs_otp(request.user):
        return redirect(otp_redirect_url(request.user, next_url))
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


@sensitive_post_parameters("password", "code")
@csrf_protect
@never_cache
def login_view(request):
    next_url = _safe_next(request)
    sent_phone = request.session.get(LOGIN_PHONE_KEY, "")
    phone_form = PhoneForm(initial={"phone": sent_phone})
    owner_form = OwnerLoginForm(initial={"phone": sent_phone}) if sent_phone else None
    staff_form = StaffLoginForm()
    which = request.POST.get("form") if request.method == "POST" else None
    status = 200

    if which == "send_code":
        phone_form = PhoneForm(request.POST)
        if not phone_form.is_valid():
            status = 400
        else:
            try:
                sent = services.code_send(
                    phone=phone_form.cleaned_data["phone"], client_ip=client_address(request)
                )
            except DomainError as exc:
                status = place_error(phone_form, exc)
            else:
                request.session[LOGIN_PHONE_KEY] = sent.phone
                # The same words whether or not the phone is registered (RULES.md §3, services.code_send).
                messages.info(
                    request,
                    _(
                        "如果手机号 %(phone)s 已在业主名册中登记，验证码已发送，"
                        "%(minutes)d分钟内有效。没有收到？请核对号码，或联系业委会核实登记信息。"
                    )
                    % {
                        "phone": mask_phone(sent.phone),
                        "minutes": settings.GONGZHI_CODE_TTL_SECONDS // 60,
                    },
                )
                return redirect(_with_next(reverse("accounts:login"), next_url))
    elif which == "owner":
        owner_form = OwnerLoginForm(request.POST)
        if not owner_form.is_valid():
            status = 400
        else:
            try:
                user = authenticate(
                    request,
                    phone=owner_form.cleaned_data["phone"],
                    code=owner_form.cleaned_data["code"],
                )
            except services.BindingRequired as binding:
                # First login: the code is right and the phone is in the register; the
                # owner now proves who they are with their ID number (RULES.md §3).
                request.session.pop(LOGIN_PHONE_KEY, None)
                request.session[BIND_PHONE_KEY] = binding.phone
                request.session[BIND_CODE_KEY] = binding.code_pk
                return redirect(_with_next(reverse("accounts:bind"), next_url))
            except DomainError as exc:
                status = place_error(owner_form, exc)
            else:
                if user is None:
                    owner_form.add_error(None, _("该账户已停用，请联系业委会或住建局。"))
                    status = 409
                else:
                    request.session.pop(LOGIN_PHONE_KEY, None)
                    login(request, user)
                    return _after_login(request, next_url)
    elif which == "staff":
        staff_form = StaffLoginForm(request.POST)
        if not staff_form.is_valid():
            status = 400
        else:
            try:
                user = services.staff_login(
                    request=request,
                    username=staff_form.cleaned_data["username"],
                    password=staff_form.cleaned_data["password"],
                )
            except DomainError as exc:
                status = place_error(staff_form, exc)
            else:
                login(request, user)
                return _after_login(request, next_url)

    return render(
        request,
        "accounts/login.html",
        {
            "phone_form": phone_form,
            "owner_form": owner_form,
            "staff_form": staff_form,
            "staff_open": which == "staff",
            "next": next_url,
        },
        status=status,
    )


logout_view = LogoutView.as_view()

BIND_PHONE_KEY = "gongzhi_bind_phone"
# The code just used: ID-number tries are counted on its row, not in the session,
# so parallel requests of one session share the count (services.id_number_try_reserve).
BIND_CODE_KEY = "gongzhi_bind_code"


@sensitive_post_parameters("id_number")
@csrf_protect
@never_cache
def bind_view(request):
    """First login of an owner: match the resident ID number to the register."""
    next_url = _safe_next(request)
    phone = request.session.get(BIND_PHONE_KEY)
    if not phone:
        messages.info(request, _("请先用手机号和验证码登录。"))
        return redirect(_with_next(reverse("accounts:login"), next_url))
    form = BindForm(request.POST or None)
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    if request.method == "POST" and form.is_valid():
        left = 0
        try:
            # Reserved before the register is searched: GONGZHI_ID_MAX_TRIES per code.
            left = services.id_number_try_reserve(
                phone=phone, code_pk=request.session.get(BIND_CODE_KEY)
            )
            user = owner_bind(phone=phone, id_number=form.cleaned_data["id_number"])
        except DomainError as exc:
            if left <= 0:
                # The last try for this code is spent: start again with a new code.
                request.session.pop(BIND_PHONE_KEY, None)
                request.session.pop(BIND_CODE_KEY, None)
                messages.error(request, _("身份证号码多次不一致，请重新获取验证码后再试。"))
                return redirect(_with_next(reverse("accounts:login"), next_url))
            status = place_error(form, exc)
        else:
            request.session.pop(BIND_PHONE_KEY, None)
            request.session.pop(BIND_CODE_KEY, None)
            login(request, user, backend="accounts.backends.PhoneCodeBackend")
            messages.success(request, _("绑定成功。今后用手机号和验证码即可登录。"))
            return _after_login(request, next_url)
    return render(
        request,
        "accounts/bind.html",
        {"form": form, "phone": mask_phone(phone), "next": next_url},
        status=status,
    )


def _otp_user(request):
    user = request.user
    if not (permissions.roles_of(user) & OTP_ROLES or user.is_staff):
        # Bureau approvers and admins (accounts.models.OTP_ROLES) and Django-admin users use TOTP.
        raise PermissionDenied
    return user


def _qr_svg(url: str) -> str:
    # Rendered here from our own otpauth:// URL: no external service sees the secret.
    svg = segno.make(url, error="m").svg_inline(
        scale=4, omitsize=True, light="#fff", title=_("动态口令绑定二维码")
    )
    return mark_safe(svg)  # noqa: S308 - segno output of our own URL, title escaped by segno


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@never_cache
@sensitive_post_parameters("token")
def otp_setup(request):
    """Enrol an authenticator app: scan the QR code, confirm with the first code."""
    user = _otp_user(request)
    next_url = _safe_next(request)
    if user_has_device(user, confirmed=True) and not permissions.is_verified(user):
        # Replacing a device needs TOTP first, or a stolen password would enrol the thief's phone.
        return redirect(_with_next(reverse("accounts:otp_verify"), next_url))
    device = services.totp_device_start(user=user)
    form = TokenForm(request.POST or None)
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_device_confirm(
                user=user, device=device, token=form.cleaned_data["token"]
            )
        except DomainError as exc:
            status = place_error(form, exc)
        else:
            django_otp.login(request, device)
            messages.success(request, _("动态口令已绑定，本次登录已通过验证。"))
            return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _grouped(b32encode(device.bin_key).decode()),
            "issuer": getattr(settings, "OTP_TOTP_ISSUER", ""),
            "account": user.get_username(),
            "replacing": user_has_device(user, confirmed=True),
            "next": next_url,
        },
        status=status,
    )


@login_required
@never_cache
@sensitive_post_parameters("token")
def otp_verify(request):
    """Pass TOTP for this session with the code from the enrolled app."""
    user = _otp_user(request)
    next_url = _safe_next(request)
    done = next_url or resolve_url(settings.LOGIN_REDIRECT_URL)
    if permissions.is_verified(user):
        return redirect(done)
    if not user_has_device(user, confirmed=True):
        return redirect(_with_next(reverse("accounts:otp_setup"), next_url))
    form = TokenForm(request.POST or None)
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_verify(user=user, token=form.cleaned_data["token"])
        except DomainError as exc:
            status = place_error(form, exc)
        else:
            django_otp.login(request, device)
            return redirect(done)
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": next_url}, status=status
    )
