"""Validators for the national codes every ledger carries (SPEC §5)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 31 characters, I O S V Z excluded.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: the registering authority. N (agriculture) and Y (other) are real and
# common among farmers' cooperatives and collective economic organisations.
USCC_AUTHORITIES = set("123456789ANY")

# GB 11643-1999, ISO 7064 MOD 11-2.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

# GB/T 2260 province-level prefixes in force.
PROVINCE_PREFIXES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
}


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Unified social credit code (统一社会信用代码), 18 characters with its check character."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("The unified social credit code must have 18 characters; %(n)s were given."),
            code="length",
            params={"n": len(code)},
        )
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise ValidationError(
            _("The unified social credit code contains a character it cannot contain: %(c)s."),
            code="alphabet",
            params={"c": bad[0]},
        )
    if code[0] not in USCC_AUTHORITIES:
        raise ValidationError(
            _("The first character of the credit code (registering authority) is not valid."),
            code="authority",
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of the credit code must be the division code."), code="division"
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of the unified social credit code is wrong; please check it."),
            code="checksum",
        )


def id_check_character(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_birth_date(code: str) -> datetime.date | None:
    try:
        return datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str) -> None:
    """Citizen ID number (公民身份号码), 18 characters with its check character."""
    code = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", code):
        raise ValidationError(
            _("The ID number must be 17 digits followed by a digit or X."), code="format"
        )
    if code[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(_("The address code of the ID number is not valid."), code="address")
    born = id_birth_date(code)
    if born is None or born > datetime.date.today() or born.year < 1900:
        raise ValidationError(_("The date of birth in the ID number is not valid."), code="birth")
    if id_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("The check digit of the ID number is wrong; please check it."), code="checksum"
        )


def id_gender(code: str) -> str:
    """'M' or 'F' from the sequence digit: odd for men, even for women."""
    return "M" if int(code[16]) % 2 else "F"


def mask_id_number(value: str) -> str:
    """Shown masked everywhere but where a role may see it: 430302********123X."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def validate_division_code(value: str) -> None:
    """Administrative division code: 6 digits (GB/T 2260), 9 with township, 12 with village."""
    code = (value or "").strip()
    if not re.fullmatch(r"\d{6}(\d{3}(\d{3})?)?", code):
        raise ValidationError(
            _("A division code has 6 digits (county), 9 (township) or 12 (village)."),
            code="format",
        )
    if code[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(
            _("The division code does not start with a province code."), code="province"
        )
    if code[2:4] == "00" and code[4:6] != "00":
        raise ValidationError(
            _("A county code needs a prefecture part (digits 3-4) other than 00."),
            code="prefecture",
        )
