"""Login and TOTP forms. They only shape input; the services decide (STYLE.md §3)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.forms import place_error

from .models import RoleAssignment
from .services import role_scope_check


class PhoneForm(forms.Form):
    """Step 1 of an owner login: the phone to send a code to."""

    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "inputmode": "numeric",
                "autocomplete": "tel-national",
                "placeholder": _("11位手机号"),
            }
        ),
    )


class OwnerLoginForm(PhoneForm):
    """Step 2: the phone again (so the page works without a session) and the code."""

    code = forms.CharField(
        label=_("验证码"),
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "placeholder": _("6位数字"),
            }
        ),
    )


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class BindForm(forms.Form):
    """First login: the owner's resident ID number, checked against the register's HMAC."""

    id_number = forms.CharField(
        label=_("居民身份证号码"),
        max_length=18,
        min_length=18,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class TokenForm(forms.Form):
    """A 6-digit TOTP code from the user's authenticator app."""

    token = forms.CharField(
        label=_("动态口令"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "placeholder": _("6位数字"),
            }
        ),
    )


class RoleAssignmentAdminForm(forms.ModelForm):
    """Admin: a new grant is checked by the same rule the service applies."""

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "area", "company", "street", "community"]

    def clean(self):
        data = super().clean()
        user, role = data.get("user"), data.get("role")
        if user is None or not role:
            return data
        scopes = [data.get(f) for f in ("area", "company", "street", "community") if data.get(f)]
        if len(scopes) > 1:
            raise forms.ValidationError(_("只能指定一个范围。"))
        try:
            role_scope_check(user=user, role=role, scope=scopes[0] if scopes else None)
        except DomainError as exc:
            place_error(self, exc)
        return data
