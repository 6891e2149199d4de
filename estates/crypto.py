"""Resident ID numbers at rest: Fernet encryption plus a keyed HMAC for lookup.

DESIGN.md "Personal data": the clear number is never stored, never logged;
lists show it masked (3413**********1234). The HMAC lets us find a person by
the number an owner types when binding a phone (RULES.md §3) without
decrypting anything.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def normalize_id(number: str) -> str:
    return (number or "").strip().upper()


def id_hmac(number: str) -> str:
    return hmac.new(
        settings.GONGZHI_HMAC_KEY, normalize_id(number).encode(), hashlib.sha256
    ).hexdigest()


def encrypt_id(number: str) -> str:
    return _fernet(settings.GONGZHI_FERNET_KEY).encrypt(normalize_id(number).encode()).decode()


def decrypt_id(token: str) -> str:
    return _fernet(settings.GONGZHI_FERNET_KEY).decrypt(token.encode()).decode()


def mask_id(number: str) -> str:
    number = normalize_id(number)
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"
