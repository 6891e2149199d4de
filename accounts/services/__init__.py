"""Writes for accounts: one-time login codes, staff logins, users, roles and TOTP.

Every function is keyword-only and raises ``DomainError`` for bad input.
Changes to users, roles and TOTP devices write an audit event in the same
transaction. Login bookkeeping (one-time code rows, try counters,
a device's replay counter) is not audited: it is authentication state, not a
change to anything the platform decides, and writing it to the hash chain
would serialise every login of a busy vote on the chain's head lock.

- ``codes``: one-time codes for owners' phones;
- ``users``: staff logins, staff and owner users;
- ``roles``: granting and revoking roles in a scope;
- ``totp``: TOTP devices for approvers and admins;
- ``limits``: guessing limits, each try reserved before its secret is checked.
"""

from __future__ import annotations

from .codes import (
    CODE_HMAC_SALT,
    CODE_KEEP,
    CODE_RE,
    SEND_WINDOW,
    BindingRequired,
    CodeSent,
    code_hash,
    code_login_user,
    code_purge,
    code_send,
    code_verify,
    id_number_try_reserve,
    register_phone_unbound,
)
from .limits import Tries, tries_clear, tries_purge, try_reserve
from .roles import SCOPE_LABELS, role_grant, role_revoke, role_scope_check
from .totp import TOKEN_RE, totp_device_confirm, totp_device_start, totp_reset, totp_verify
from .users import (
    LOGIN_MAX_FAILURES,
    LOGIN_WINDOW,
    owner_user_ensure,
    password_try,
    staff_create,
    staff_login,
    staff_password_set,
    user_set_active,
)

__all__ = [
    "BindingRequired",
    "CODE_HMAC_SALT",
    "CODE_KEEP",
    "CODE_RE",
    "CodeSent",
    "LOGIN_MAX_FAILURES",
    "LOGIN_WINDOW",
    "SCOPE_LABELS",
    "SEND_WINDOW",
    "TOKEN_RE",
    "code_hash",
    "code_login_user",
    "code_purge",
    "code_send",
    "code_verify",
    "id_number_try_reserve",
    "password_try",
    "tries_clear",
    "tries_purge",
    "try_reserve",
    "Tries",
    "owner_user_ensure",
    "register_phone_unbound",
    "role_grant",
    "role_revoke",
    "role_scope_check",
    "staff_create",
    "staff_login",
    "staff_password_set",
    "totp_device_confirm",
    "totp_device_start",
    "totp_reset",
    "totp_verify",
    "user_set_active",
]
