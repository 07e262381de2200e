"""What an SMS costs: GSM-7 or UCS-2 encoding and the number of segments."""

# GSM 03.38 basic set, and the extension table whose characters take 2 septets.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


def sms_segments(body):
    """Return ``(encoding, units, segments)`` for ``body``.

    GSM-7: 160 septets in one segment, else 153 per segment (an extension
    character takes 2 septets and is never split). UCS-2 (any other character,
    e.g. Turkish ğ, ı, ş): 70 UTF-16 units, else 67 per segment (a surrogate
    pair is never split). An empty body is one segment of nothing.
    """
    body = body or ""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in body):
        encoding, single, multi = "gsm7", 160, 153
        costs = [2 if c in GSM7_EXTENSION else 1 for c in body]
    else:
        encoding, single, multi = "ucs2", 70, 67
        costs = [2 if ord(c) > 0xFFFF else 1 for c in body]
    units = sum(costs)
    if units <= single:
        return encoding, units, 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments, used = segments + 1, 0
        used += cost
    return encoding, units, segments


# 3GPP TS 23.038 Turkish single shift table: the Turkish letters missing from
# GSM-7 cost 2 septets (escape + letter), like the extension characters.
TURKISH_SHIFT = frozenset("ĞğİıŞşç")
TURKISH_TO_LATIN = str.maketrans("ĞğİıŞşç", "GgIiSsc")


def netgsm_segments(body, turkish=True):
    """``(encoding, units, segments)`` as NetGSM bills ``body``.

    ``turkish`` (encoding TR): a text with Turkish letters goes as GSM-7 with
    the Turkish shift table, whose 3-octet header leaves 155 septets in one
    SMS and 149 per part; other texts as ``sms_segments``. Without it NetGSM
    sends Latin letters instead (ş -> s), counted as GSM-7.
    """
    body = body or ""
    if not turkish:
        return sms_segments(body.translate(TURKISH_TO_LATIN))
    if not any(c in TURKISH_SHIFT for c in body):
        return sms_segments(body)
    if not all(c in GSM7_BASIC or c in GSM7_EXTENSION or c in TURKISH_SHIFT for c in body):
        return sms_segments(body)  # anything else: UCS-2
    costs = [2 if c in GSM7_EXTENSION or c in TURKISH_SHIFT else 1 for c in body]
    units = sum(costs)
    if units <= 155:
        return "gsm7_tr", units, 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > 149:
            segments, used = segments + 1, 0
        used += cost
    return "gsm7_tr", units, segments
