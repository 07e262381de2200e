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
