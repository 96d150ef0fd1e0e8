"""Phone numbers as people type them, stored in E.164."""

from __future__ import annotations

import phonenumbers


class PhoneNumberError(ValueError):
    pass


def to_e164(raw: str, default_region: str) -> str:
    """`raw` as an E.164 number; a number without a country code is read in `default_region`."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as error:
        raise PhoneNumberError("not a phone number") from error
    if not phonenumbers.is_valid_number(number):
        raise PhoneNumberError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def can_receive_sms(e164: str) -> bool:
    """A mobile number, or one whose plan cannot tell mobile from fixed line (as in the US)."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
