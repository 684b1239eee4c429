"""Normalising duplicate keys (000 §3.2.c; SPEC §3): the same phone, tax id or organisation
name typed differently must collide in the UNIQUE index."""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _


class KeyFormatError(ValueError):
    """A value that cannot be a phone number / tax id; the message is for the user."""


_PHONE_SEPARATORS = re.compile(r"[\s\-–—()（）.·/]+")
_COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086)")
_TAX_SEPARATORS = re.compile(r"[\s\-–—]+")
_WHITESPACE = re.compile(r"\s+")


def half_width(value: str) -> str:
    """Full-width letters, digits and punctuation → half-width (NFKC); also maps the
    ideographic space to a plain one."""
    return unicodedata.normalize("NFKC", value)


def normalize_phone(value: str) -> str:
    """'+86 138-1234-5678' → '13812345678'; '(021) 6234 5678' → '02162345678'.

    Raises KeyFormatError for anything that is not 7–12 digits once separators, the +86/0086
    prefix and an extension-free form are removed."""
    cleaned = _PHONE_SEPARATORS.sub("", half_width(value or "").strip())
    cleaned = _COUNTRY_PREFIX.sub("", cleaned)
    if cleaned.startswith("86") and len(cleaned) == 13 and cleaned[2] == "1":
        cleaned = cleaned[2:]  # 86 13812345678 written without the plus
    if not cleaned.isdigit() or not 7 <= len(cleaned) <= 12:
        raise KeyFormatError(_("“%(value)s” is not a valid phone number.") % {"value": value})
    return cleaned


def normalize_tax_id(value: str) -> str:
    """统一社会信用代码 / 税号: upper-case letters and digits, 15–20 characters."""
    cleaned = _TAX_SEPARATORS.sub("", half_width(value or "")).upper()
    if not cleaned.isalnum() or not cleaned.isascii() or not 15 <= len(cleaned) <= 20:
        raise KeyFormatError(_("“%(value)s” is not a valid tax id.") % {"value": value})
    return cleaned


def normalize_org_name(value: str) -> str:
    """Organisation names compare without spaces, full-width forms or Latin case:
    '上海 华东（集团）有限公司' and '上海华东(集团)有限公司' are the same key."""
    return _WHITESPACE.sub("", half_width(value or "")).lower()


def mask_phone(value: str) -> str:
    """138****5678: what a salesperson sees of a pool customer's numbers (SPEC §1)."""
    if not value:
        return ""
    digits = _PHONE_SEPARATORS.sub("", half_width(value))
    if len(digits) <= 7:
        return digits[:2] + "*" * max(len(digits) - 2, 0)
    return f"{digits[:3]}****{digits[-4:]}"
