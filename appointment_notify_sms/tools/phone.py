"""E.164 normalisation of customer numbers with ``phonenumbers``."""

import phonenumbers
from phonenumbers import PhoneNumberType

# Numbers that cannot receive an SMS. FIXED_LINE_OR_MOBILE (e.g. US/CA) is
# accepted: the numbering plan cannot tell, Twilio answers 21614 if it is a landline.
NOT_MOBILE = {
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOICEMAIL,
    PhoneNumberType.UAN,
}


def normalize_mobile(number, country_code=None):
    """Return ``(e164, problem)``: problem is None, "invalid" or "not_mobile"."""
    try:
        parsed = phonenumbers.parse((number or "").strip(), (country_code or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None, "invalid"
    if not phonenumbers.is_valid_number(parsed):
        return None, "invalid"
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.number_type(parsed) in NOT_MOBILE:
        return e164, "not_mobile"
    return e164, None
