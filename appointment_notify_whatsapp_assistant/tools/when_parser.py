"""Free-text days and times in en, tr, nl, it, uk: "yarın 14:00", "morgen om half 4".

Contract (the flow relies on it):

    parse_when(text, lang, today, is_open=None) -> When

``lang``: an Odoo code (en_US, tr_TR, nl_NL, it_IT, uk_UA) or its first two letters;
``today``: a ``date`` in the business's time zone; ``is_open(hour) -> bool`` tells
whether the business works at that hour (a bare "3" is 15:00 when 03:00 is closed).
A phrase that could mean two things never guesses: ``question`` says what to ask.

``question`` is set only when something was said but cannot be pinned down:

- ``"day"``: two readings of a day ("next Friday" said on a Wednesday: the 20th or the
  27th; "5/11" in English; a bare weekday that is today; two different days; a day
  that does not exist or is past, "31/11", "25-11-2025"); ``options`` holds the
  candidate dates when there are some;
- ``"ampm"``: a bare hour 1-11 that may be morning or afternoon; ``options`` holds
  both times (03:00, 15:00);
- ``"time"``: a range ("14-16", "tussen 2 en 4") or several different times.

Hours: 13-23, "0x:xx", am/pm and a day part ("öğleden sonra 3", "'s avonds om 8")
are exact. A bare 1-11 ("3", "om 3 uur", "alle 3", "saat 3", "half 4") is the one of
h / h+12 the business is open at (``is_open``), else a question; without ``is_open``
8-11 is the morning and 1-7 a question. Days: a date without a year is the next one
that is not past; "next week Friday" is the Friday of the next calendar week;
"ertesi gün" (like "öbür gün") is the day after tomorrow.

Nothing understood gives an empty ``When`` (the flow asks). A missing day or time
is not a question: the flow sees ``day``/``time`` is None and asks for it.
``part`` is only set when there is no exact time. Words of all five languages are
understood whatever ``lang`` is (a Turkish word in a Dutch chat is harmless); ``lang``
only decides the two readings that differ by language: "half 4" (nl 3:30, en 4:30)
and "5/11" (en: month/day is possible, so it asks).
"""

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, time, timedelta


@dataclass
class When:
    day: date | None = None
    time: dt.time | None = None  # (``time: time`` would see the default, None)
    part: str | None = None  # "morning" | "afternoon" | "evening" when no exact time
    question: str | None = None  # "day" | "time" | "ampm": what to ask back
    options: tuple = ()  # the candidate dates or times for ``question``


# Lower case, Latin diacritics folded (customers often type "yarin", "venerdi"),
# apostrophes and dashes unified. One character in, one out.
_FOLD = str.maketrans(
    {
        "ç": "c",
        "ğ": "g",
        "ı": "i",
        "ö": "o",
        "ş": "s",
        "ü": "u",
        "â": "a",
        "î": "i",
        "û": "u",
        "à": "a",
        "á": "a",
        "è": "e",
        "é": "e",
        "ë": "e",
        "ì": "i",
        "í": "i",
        "ï": "i",
        "ò": "o",
        "ó": "o",
        "ù": "u",
        "ú": "u",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "´": "'",
        "–": "-",
        "—": "-",
        "\u0307": None,  # "İ".lower() is "i" + combining dot
    }
)

DAY, PART, TIME, WEEKDAY = "\x01", "\x02", "\x03", "\x04"  # consumed spans leave these marks


def _c(pattern):
    return re.compile(pattern, re.IGNORECASE)


# -- lexicon -------------------------------------------------------------------------

_TR_SFX = r"(?:'?(?:y?[ae]|[dt][ae]|y?[iu]|n[iu]n|gunu))?"
_NL_PART = r"(?:ochtend|morgen|middag|avond|nacht)?"  # "vrijdagmiddag"
_NL_PARTS = {
    "ochtend": "morning",
    "morgen": "morning",
    "middag": "afternoon",
    "avond": "evening",
    "nacht": "night",
}
_WEEKDAY_WORDS = [  # en, tr (+ case endings), nl (+ day part), it, uk (inflected)
    ("monday|mon", "pazartesi", "maandag", "lunedi", "понеділ(?:ок|ка|ку)"),
    ("tuesday|tues|tue", "sali", "dinsdag", "martedi", "вівтор(?:ок|ка|ку)"),
    ("wednesday|wed", "carsamba", "woensdag", "mercoledi", "серед[аиуі]"),
    ("thursday|thurs|thur|thu", "persembe", "donderdag", "giovedi", "четвер(?:га|гу)?"),
    ("friday|fri", "cuma", "vrijdag", "venerdi", "п'?ятниц[яюі]"),
    ("saturday|sat", "cumartesi", "zaterdag", "sabato", "субот[аиуі]"),
    ("sunday|sun", "pazar", "zondag", "domenica", "неділ[яюі]"),
]
_WEEKDAYS = [
    f"{en}|{tr}{_TR_SFX}|{nl}{_NL_PART}|{it}|{uk}" for en, tr, nl, it, uk in _WEEKDAY_WORDS
]
_WD = "|".join(f"(?P<d{i}>{w})" for i, w in enumerate(_WEEKDAYS))

_TR_MONTH_SFX = r"(?:'?[a-z]{1,5})?"
_MONTHS = [
    r"january|jan|ocak|januari|gennaio|gen|січ\w*",
    r"february|feb|subat|februari|febbraio|лют\w*",
    r"march|mart|mar|maart|mrt|marzo|берез\w*",
    r"april|apr|nisan|aprile|квіт\w*",
    r"may|mayis|mei|maggio|mag|трав\w*",
    r"june|jun|haziran|juni|giugno|giu|черв\w*",
    r"july|jul|temmuz|juli|luglio|lug|лип\w*",
    r"august|aug|agustos|augustus|agosto|серп\w*",
    r"september|sept|sep|eylul|settembre|верес\w*",
    r"october|oct|ekim|oktober|okt|ottobre|ott|жовт\w*",
    r"november|nov|kasim|novembre|листопад\w*",
    r"december|dec|aralik|dicembre|dic|груд\w*",
]
_TR_MONTHS = "ocak|subat|mart|nisan|mayis|haziran|temmuz|agustos|eylul|ekim|kasim|aralik"
_MON = (
    rf"(?:(?P<trm>{_TR_MONTHS}){_TR_MONTH_SFX}\b|"
    + "|".join(f"(?P<m{i}>{w})\\b" for i, w in enumerate(_MONTHS))
    + ")"
)

_NUMWORDS = {}
for _n, _words in enumerate(
    [
        "one bir een uno una l'una один одна одну першій першу перша",
        "two iki twee due два дві другій другу друга",
        "three uc drie tre три третій третю третя",
        "four dort vier quattro чотири четвертій четверту четверта",
        "five bes vijf cinque п'ять пять п'ятій п'яту п'ята",
        "six alti zes sei шість шостій шосту шоста",
        "seven yedi zeven sette сім сьомій сьому сьома",
        "eight sekiz acht otto вісім восьмій восьму восьма",
        "nine dokuz negen nove дев'ять дев'ятій дев'яту дев'ята",
        "ten on tien dieci десять десятій десяту десята",
        "eleven on_bir onbir elf undici одинадцять одинадцятій одинадцяту одинадцята",
        "twelve on_iki oniki twaalf dodici дванадцять дванадцятій дванадцяту дванадцята",
    ],
    start=1,
):
    for _w in _words.split():
        _NUMWORDS[_w.replace("_", " ")] = _n
_NW = "|".join(
    re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_NUMWORDS, key=len, reverse=True)
)
# an hour: digits or a number word (Turkish case endings allowed: "üçte", "3'te")
_H = rf"(?:\d{{1,2}}|(?:{_NW})(?=\W|$|'|[dt][ae]\b|y?[ae]\b|y?[iu]\b))" + _TR_SFX
_HSFX = r"(?:\s*(?:uur|u|h|o'?clock|годин[іиу]|год|ore)\b)?"
_MARK = (
    r"(?:\b(?:at|around|about|after|before|by|from|until|till|saat|om|rond|tegen|omstreeks|na|"
    r"vanaf|alle(?:\s+ore)?|ore|verso(?:\s+le)?|(?:dopo|entro|per)\s+le|prima\s+delle|dalle|le|"
    r"о|об|на|близько|біля|після|до|з|від)\s+|\ball')"
)


def _num(tok):
    """An hour token (digits or a number word, Turkish endings allowed) as an int."""
    tok = re.sub(r"\s+", " ", tok.strip("' ")).lower()
    if tok.isdigit():
        return int(tok)
    if tok in _NUMWORDS:
        return _NUMWORDS[tok]
    base = re.sub(r"'?(?:y?[ae]|[dt][ae]|y?[iu]|n[iu]n|gunu)$", "", tok)
    return int(base) if base.isdigit() else _NUMWORDS.get(base)


_REL = [
    (
        (
            r"(?:the\s+)?day\s+after\s+tomorrow|obur\s*gun\w*|ertesi\s+gun\w*|yarindan\s+sonra|"
            r"overmorgen|dopo\s*domani|післязавтра|після\s+завтра"
        ),
        2,
        None,
    ),
    (r"tonight", 0, "evening"),
    (r"vanavond", 0, "evening"),
    (r"vanmiddag", 0, "afternoon"),
    (r"vanochtend|vanmorgen", 0, "morning"),
    (r"stasera", 0, "evening"),
    (r"stamattina|stamane", 0, "morning"),
    (r"stanotte", 0, "night"),
    (r"morgenochtend|morgenvroeg", 1, "morning"),
    (r"morgenmiddag", 1, "afternoon"),
    (r"morgenavond", 1, "evening"),
    (r"domattina", 1, "morning"),
    (r"today|bugun\w*|vandaag|oggi|сьогодні", 0, None),
    (r"tomorrow|tmrw|yarin(?:'?[a-z]{1,3})?|(?<!goede\s)(?<!'s\s)morgen|domani|завтра", 1, None),
    # "this morning", "bu akşam", "questa sera": today's part (the part word stays)
    (
        (
            r"(?:this|bu|deze|questa|questo|цього|цей)(?=\s+(?:morning|afternoon|evening|sabah|"
            r"ogleden|aksam|ochtend|middag|avond|mattina|pomeriggio|sera|ранку|вечора|вечір))"
        ),
        0,
        None,
    ),
]
_REL = [
    (_c(rf"\b(?:{p})\b" if not p.startswith("(?:this") else rf"\b{p}"), o, pt) for p, o, pt in _REL
]
_IN_DAYS = _c(
    r"\b(?:in\s+(\d{1,2})\s+days?|(\d{1,2})\s+gun\s+sonra\w*|over\s+(\d{1,2})\s+dagen|"
    r"(?:tra|fra)\s+(\d{1,2})\s+giorni|через\s+(\d{1,2})\s+дн\w*)\b"
)

_NEXTWEEK = (
    r"next\s+week|gelecek\s+hafta(?:ya)?|onumuzdeki\s+hafta|haftaya|volgende\s+week|"
    r"(?:della\s+|la\s+)?prossima\s+settimana|(?:la\s+)?settimana\s+prossima|"
    r"наступного\s+тижня|на\s+наступному\s+тижні"
)
_THISWEEK = (
    r"this\s+week|bu\s+hafta|deze\s+week|questa\s+settimana|цього\s+тижня|на\s+цьому\s+тижні"
)
_NEXT = r"next|gelecek|volgende|prossim[oa]|наступн\w*"
_THIS = r"this|coming|bu|onumuzdeki|deze|aanstaande|komende|questo|questa|ц(?:ього|ієї|ей|ю|я)"
_WEEKDAY = _c(
    rf"(?:\b(?P<pre>{_NEXTWEEK}|{_THISWEEK}|{_NEXT}|{_THIS})\s+(?:(?:on|op|в|у|на|il)\s+)?)?"
    rf"\b(?:{_WD})\b(?:\s+(?:gunu|günü)\b)?(?:\s+(?:of\s+)?(?P<post>{_NEXTWEEK}|{_THISWEEK}|{_NEXT})\b)?"
)

_PARTS = [
    (
        (
            r"in\s+the\s+morning|morning|sabah\w*|'?s\s*(?:ochtends|morgens)|ochtend|"
            r"(?:di|del|la|in)\s+mattin[ao]|mattin[ao]|ранок|ранку|вранці|зранку|уранці|зранка"
        ),
        "morning",
    ),
    (
        (
            r"in\s+the\s+afternoon|afternoon|ogleden\s+sonra|ogle(?:n)?\s+sonra\w*|'?s\s*middags|"
            r"middags?|(?:del|di|nel|il)\s+pomeriggio|pomeriggio|вдень|удень|після\s+обіду|по\s+обіді|"
            r"(?<=\d)\s?дня|ogle(?:n|yin)?(?=\s+\d)"
        ),
        "afternoon",
    ),
    (
        (
            r"in\s+the\s+evening|evening|aksam\w*|'?s\s*avonds|avond|(?:di|della|in)\s+sera(?:ta)?|"
            r"sera(?:ta)?|ввечері|увечері|вечір|вечора"
        ),
        "evening",
    ),
    (r"at\s+night|(?<!ceyrek\s)gece(?:leyin)?|'?s\s*nachts|di\s+notte|notte|ночі|вночі", "night"),
]
_PARTS = [(_c(rf"(?:\B'|\b)(?:{p})\b"), part) for p, part in _PARTS]
_NOON = _c(
    r"\b(?:at\s+)?(?:noon|midday|ogle(?:n|yin)?|mezzogiorno|опівдні|полудень)\b(?!\s*(?:sonra|\d))"
)

_AMPM = r"(?:\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z]))?"
_FULLDATE = _c(
    r"(?<![\d./:-])(?:(?P<y1>\d{4})-(?P<mo1>\d{1,2})-(?P<d1>\d{1,2})|"
    r"(?P<d2>\d{1,2})[./-](?P<mo2>\d{1,2})[./-](?P<y2>\d{4}|\d{2}))(?![\d./:-]\d)"
)
_DMY = _c(
    rf"(?<![\d:.,/])\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|e|\.)?\s*(?:of\s+|de\s+)?{_MON}"
    r"(?:\s*,?\s*(?P<y>\d{4})\b)?"
)
_MDY = _c(
    rf"\b{_MON}\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
    r"(?!\s*(?:[:.h]\d|am\b|pm\b|a\.m|p\.m|uur\b|o'?clock))(?:\s*,?\s*(?P<y>\d{4})\b)?"
)
# "the 25th", "il 25", "op de 25e", "ayın 25'i", "25'inde", "25-го"; not "the 2nd floor"
_DAY_OF_MONTH = _c(
    r"(?:\b(?:the|il|op\s+de|de|ayin)\s+(?P<d>\d{1,2})(?:st|nd|rd|th|e|ste|'?s?i|'?s?inde)?\b"
    r"|(?<![\d:./-])\b(?P<d2>\d{1,2})(?:st|nd|rd|th|e|ste|'s?inde|-?го)\b)"
    r"(?=\s*(?:$|[,.!?;)]|[\x01-\x04]|\d|(?:at|om|alle|ore|saat|о|об|please|graag|lutfen)\b))"
    r"(?![/.:-]\d)"
)
_RANGE = _c(
    r"(?:\b(?:between|tussen|tra\s+le|fra\s+le|dalle|між|з|від)\s+)?"
    r"(?<![\d:./])(?P<a>\d{1,2})(?:[:.](?P<am>\d{2}))?\s*(?:-|\bto\b|\btot\b|\btill?\b|\band\b|\ben\b|"
    r"\be\s+le\b|\balle\b|\bдо\b|\bта\b|\bile\b)\s*(?P<b>\d{1,2})(?:[:.](?P<bm>\d{2}))?(?![\d/.:])"
    r"(?:\s*(?:uur|u|h)\b)?(?:\s+aras\w*)?"
)
_COLON = _c(
    r"(?<![\d:.])(?P<h>\d{1,2})(?::|h(?=\d{2}))(?P<m>\d{2})(?![\d:])" + _AMPM + r"(?:'?[dt][ae]\b)?"
)
_SLASH = _c(r"(?<![\d/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\d/])")
_DOT = _c(r"(?<![\d.:/])(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.?(?![\d:/]|\.\d)")
_MARK_BEFORE = _c(_MARK + r"$")
_TIME_AFTER = _c(r"^\s*(?:uur|u|h|'?[dt][ae]|годин[іиу]|год)\b")

# special clock phrases: (a word they need, regex, language or None, fn(match, hour) -> (h, m))
_SPECIAL = [
    # it: "alle 15 e 30", "alle 3 e mezza", "le 3 e un quarto", "alle 4 meno un quarto"
    (
        " e ",
        rf"(?:{_MARK})?\b(?P<h>{_H})\s+e\s+(?P<x>mezz[ao]|un\s+quarto|(?P<mm>\d{{1,2}}))\b",
        None,
        lambda m, h: (
            h,
            30 if m["x"].startswith("mezz") else 15 if "quarto" in m["x"] else int(m["mm"]),
        ),
    ),
    ("meno", rf"(?:{_MARK})?\b(?P<h>{_H})\s+meno\s+un\s+quarto\b", None, lambda m, h: (h - 1, 45)),
    # nl: "kwart over 3", "kwart voor 4", "5 voor half 4", "10 over 3", "half 4"
    ("kwart", rf"(?:{_MARK})?\bkwart\s+voor\s+half\s+(?P<h>{_H})", None, lambda m, h: (h - 1, 15)),
    ("kwart", rf"(?:{_MARK})?\bkwart\s+over\s+half\s+(?P<h>{_H})", None, lambda m, h: (h - 1, 45)),
    ("kwart", rf"(?:{_MARK})?\bkwart\s+over\s+(?P<h>{_H})", None, lambda m, h: (h, 15)),
    ("kwart", rf"(?:{_MARK})?\bkwart\s+voor\s+(?P<h>{_H})", None, lambda m, h: (h - 1, 45)),
    (
        "voor",
        rf"(?:{_MARK})?\b(?P<n>\d{{1,2}})\s+voor\s+half\s+(?P<h>{_H})",
        None,
        lambda m, h: (h - 1, 30 - int(m["n"])),
    ),
    (
        "over",
        rf"(?:{_MARK})?\b(?P<n>\d{{1,2}})\s+over\s+half\s+(?P<h>{_H})",
        None,
        lambda m, h: (h - 1, 30 + int(m["n"])),
    ),
    (
        "over",
        rf"(?:{_MARK})?\b(?P<n>\d{{1,2}})\s+(?:minuten\s+)?over\s+(?P<h>{_H})",
        None,
        lambda m, h: (h, int(m["n"])),
    ),
    (
        "voor",
        rf"(?:{_MARK})?\b(?P<n>\d{{1,2}})\s+(?:minuten\s+)?voor\s+(?P<h>{_H})",
        None,
        lambda m, h: (h - 1, 60 - int(m["n"])),
    ),
    # en: "half past 3", "quarter past 3", "quarter to 4", "half 4" (British: 4:30)
    ("past", rf"(?:{_MARK})?\bhalf\s+past\s+(?P<h>{_H})", None, lambda m, h: (h, 30)),
    (
        "quarter",
        rf"(?:{_MARK})?\b(?:a\s+)?quarter\s+past\s+(?P<h>{_H})",
        None,
        lambda m, h: (h, 15),
    ),
    (
        "quarter",
        rf"(?:{_MARK})?\b(?:a\s+)?quarter\s+to\s+(?P<h>{_H})",
        None,
        lambda m, h: (h - 1, 45),
    ),
    ("half", rf"(?:{_MARK})?\bhalf\s+(?P<h>{_H}){_HSFX}", "en", lambda m, h: (h, 30)),
    ("half", rf"(?:{_MARK})?\bhalf\s+(?P<h>{_H}){_HSFX}", None, lambda m, h: (h - 1, 30)),
    # tr: "3 buçuk", "saat üç buçukta", "3'ü çeyrek geçe", "4'e çeyrek var"
    ("bucuk", rf"(?:{_MARK})?\b(?P<h>{_H})\s*bucuk\w*", None, lambda m, h: (h, 30)),
    ("ceyrek", rf"(?:{_MARK})?\b(?P<h>{_H})\s*ceyrek\s+gece", None, lambda m, h: (h, 15)),
    ("ceyrek", rf"(?:{_MARK})?\b(?P<h>{_H})\s*ceyrek\s+var\w*", None, lambda m, h: (h - 1, 45)),
    # uk: "о пів на четверту" (3:30), "чверть на четверту" (3:15), "за чверть четверта" (3:45)
    ("пів", rf"(?:{_MARK})?\b(?:о\s+)?пів\s*на\s+(?P<h>{_H})", None, lambda m, h: (h - 1, 30)),
    ("чверть", rf"(?:{_MARK})?\bчверть\s+на\s+(?P<h>{_H})", None, lambda m, h: (h - 1, 15)),
    ("чверть", rf"(?:{_MARK})?\bза\s+чверть\s+(?P<h>{_H})", None, lambda m, h: (h - 1, 45)),
]
_SPECIAL = [(key, _c(p), lg, fn) for key, p, lg, fn in _SPECIAL]
_HOUR_AMPM = _c(rf"(?:{_MARK})?\b(?<![\d:.])(?P<h>{_H})\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])")
_COUNTED = (
    r"kisi|people|persons?|personen|persone|persona|ос\w*|люд\w*|days?|dagen|giorni|gun|"
    r"дн\w*|hours?|uren|ore|minut\w*|dakika|хвилин\w*|weeks?|hafta|weken|settiman\w*|тиж\w*"
)
_HOUR_MARK = _c(rf"{_MARK}(?P<h>{_H}){_HSFX}(?![\d:/]|[.-]\d|\s*(?:{_COUNTED})\b)")
_HOUR_SFX = _c(
    r"(?<![\d:./])\b(?P<h>\d{1,2})(?:\s*(?:uur|u|h|o'?clock|годин[іиу]|год)\b|'?[dt][ae]n?\b)(?![\d:/])"
)
_OR = re.compile(r"^(?:or|of|o|oppure|veya|yoksa|yahut|або|чи)$")
_TOKEN = re.compile(r"[\x01-\x04]|\d+[^\W\d_]*|[^\W\d_]+")
_NOT_HOURS = re.compile(
    r"^(?:kisi\w*|people|persons?|personen|persone|persona|ос\w*|люд\w*|days?|dagen|giorni|gun\w*|"
    r"дн\w*|hours?|saat\w*|ore|uur|годин\w*|minut\w*|dakika\w*|хвилин\w*|weeks?|hafta\w*|weken|"
    r"settiman\w*|тиж\w*|euro|eur|tl|lira)$"
)


class _Parse:
    def __init__(self, text, lang, today, is_open):
        self.s = (text or "").lower().translate(_FOLD)
        self.lang = (lang or "")[:2].lower()
        self.today = today
        self.is_open = is_open
        self.days = []  # date, or ("ask", [dates]) when it has two readings
        self.weekdays = []  # (weekday, its date or ("ask", [dates]))
        self.parts = []
        self.times = []  # (hour, minute, exact: bool, ampm: "am"|"pm"|None) or "range"

    def sub(self, regex, mark, handle):
        """Replace every match of regex by ``mark`` when ``handle(match)`` takes it."""
        out, pos = [], 0
        for m in regex.finditer(self.s):
            if handle(m) is False:
                continue
            out.append(self.s[pos : m.start()])
            out.append(f" {mark} ")
            pos = m.end()
        out.append(self.s[pos:])
        self.s = "".join(out)

    # -- days ------------------------------------------------------------------------

    def _day_month(self, d, mo, y=None):
        """A day of a month; without a year, the next one that is not past."""
        try:
            if y is not None:
                y = int(y)
                y = y + 2000 if y < 100 else y
                found = date(y, mo, d)
                return found if found >= self.today else ("ask", [])
            found = date(self.today.year, mo, d)
            if found < self.today:
                found = date(self.today.year + 1, mo, d)
            return found
        except ValueError:
            return ("ask", [])

    def _day_of_month(self, d):
        """ "the 25th": this month's if not past, else next month's."""
        if not 1 <= d <= 31:
            return None
        year, month = self.today.year, self.today.month
        if d < self.today.day:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        for _month in range(3):  # "the 31st" in November: 31 December
            try:
                return date(year, month, d)
            except ValueError:
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return ("ask", [])

    @staticmethod
    def _month(m):
        if m["trm"]:
            return _TR_MONTHS.split("|").index(m["trm"].lower()) + 1
        return next(i + 1 for i in range(12) if m[f"m{i}"])

    def _weekday(self, m):
        wd = next(i for i in range(7) if m[f"d{i}"])
        mod = (m["pre"] or m["post"] or "").lower()
        ahead = (wd - self.today.weekday()) % 7
        monday = self.today - timedelta(days=self.today.weekday())
        if re.fullmatch(_NEXTWEEK, mod):
            return monday + timedelta(days=7 + wd)
        if re.fullmatch(_THISWEEK, mod):
            found = monday + timedelta(days=wd)
            return found if found >= self.today else ("ask", [])
        if re.fullmatch(_THIS, mod):
            return self.today + timedelta(days=ahead)
        if re.fullmatch(_NEXT, mod):
            # "next Friday" on a Wednesday: this week's or next week's? Ask.
            found = self.today + timedelta(days=ahead or 7)
            if found < monday + timedelta(days=7):
                return ("ask", [found, found + timedelta(days=7)])
            return found
        if not ahead:  # "Wednesday" on a Wednesday: today or in a week?
            return ("ask", [self.today, self.today + timedelta(days=7)])
        return self.today + timedelta(days=ahead)

    def parse_days(self):
        def full(m):
            if m["y1"]:
                self.days.append(self._day_month(int(m["d1"]), int(m["mo1"]), m["y1"]))
            else:
                self.days.append(self._day_month(int(m["d2"]), int(m["mo2"]), m["y2"]))

        self.sub(_FULLDATE, DAY, full)

        def dmy(m):
            d = int(m["d"])
            if not 1 <= d <= 31:
                return False
            self.days.append(self._day_month(d, self._month(m), m["y"]))

        self.sub(_DMY, DAY, dmy)
        self.sub(_MDY, DAY, dmy)

        for regex, offset, part in _REL:

            def rel(m, offset=offset, part=part):
                self.days.append(self.today + timedelta(days=offset))
                if part:
                    self.parts.append(part)

            self.sub(regex, DAY, rel)

        def in_days(m):
            n = int(next(g for g in m.groups() if g))
            self.days.append(self.today + timedelta(days=n))

        self.sub(_IN_DAYS, DAY, in_days)

        def weekday(m):
            wd = next(i for i in range(7) if m[f"d{i}"])
            self.weekdays.append((wd, self._weekday(m)))
            compound = re.search(r"dag(ochtend|morgen|middag|avond|nacht)$", m[f"d{wd}"])
            if compound:
                self.parts.append(_NL_PARTS[compound.group(1)])

        self.sub(_WEEKDAY, WEEKDAY, weekday)

        def day_of_month(m):
            found = self._day_of_month(int(m["d"] or m["d2"]))
            if found is None:
                return False
            self.days.append(found)

        self.sub(_DAY_OF_MONTH, DAY, day_of_month)

    def parse_parts(self):
        self.sub(_NOON, TIME, lambda m: self.times.append((12, 0, True, None)))
        for regex, part in _PARTS:
            self.sub(regex, PART, lambda m, part=part: self.parts.append(part))

    # -- times -----------------------------------------------------------------------

    def _time(self, h, mi, exact=False, ampm=None):
        if h is None or not 0 <= h <= 24 or not 0 <= mi <= 59:
            return False
        if ampm:
            ampm = "pm" if ampm.startswith("p") else "am"
            if not 1 <= h <= 12:
                return False
        self.times.append((h % 24, mi, exact, ampm))

    def parse_times(self):
        def rng(m):
            a, b = int(m["a"]), int(m["b"])
            if a <= 23 and b <= 24 and a < b:
                self.times.append("range")
                return None
            if (
                m.group(0).count("-") == 1
                and not (m["am"] or m["bm"])
                and 1 <= a <= 31
                and 1 <= b <= 12
            ):
                self.days.append(self._day_month(a, b))  # "25-11": a day, not a range
                return None
            return False

        self.sub(_RANGE, TIME, rng)

        def colon(m):
            h = m["h"]
            return self._time(
                int(h), int(m["m"]), exact=h.startswith("0") or int(h) >= 13, ampm=m["ap"]
            )

        self.sub(_COLON, TIME, colon)

        def slash(m):
            a, b = int(m["a"]), int(m["b"])
            if self.lang == "en" and a <= 12 and b <= 12 and a != b:
                one, two = self._day_month(a, b), self._day_month(b, a)
                opts = sorted(x for x in (one, two) if isinstance(x, date))
                self.days.append(("ask", opts))
            elif self.lang == "en" and a <= 12 < b:
                self.days.append(self._day_month(b, a))
            else:
                self.days.append(self._day_month(a, b))

        self.sub(_SLASH, DAY, slash)

        def dot(m):
            a, b, bs = int(m["a"]), int(m["b"]), m["b"]
            is_time = a <= 23 and len(bs) == 2 and b <= 59
            is_date = 1 <= a <= 31 and 1 <= b <= 12
            if is_time and is_date:
                before, after = self.s[: m.start()], self.s[m.end() :]
                is_date = not (
                    _MARK_BEFORE.search(before)
                    or _TIME_AFTER.match(after)
                    or DAY in self.s
                    or WEEKDAY in self.s
                    or bs in ("00", "15", "30", "45")
                )
            if is_date:
                self.days.append(self._day_month(a, b))
                return None
            if is_time:
                return self._time(a, b, exact=m["a"].startswith("0") or a >= 13)
            return False

        self.sub(_DOT, DAY, dot)

    def parse_clock(self):

        for key, regex, lang, fn in _SPECIAL:
            if key not in self.s or lang and lang != self.lang:
                continue

            def special(m, fn=fn):
                h = _num(m["h"])
                if h is None or not 1 <= h <= 24:
                    return False
                h, mi = fn(m, h)
                if mi < 0 or mi > 59:
                    return False
                h = h % 24 or 12  # "half 1": 0:30 or 12:30
                return self._time(h, mi, exact=h >= 13)

            self.sub(regex, TIME, special)

        def hour(m):
            h = _num(m["h"])
            raw = m["h"].strip()
            exact = h is not None and (
                h >= 13 or h == 0 or (raw.isdigit() and len(raw) == 2 and raw[0] == "0")
            )
            ap = m.groupdict().get("ap")
            return self._time(h, 0, exact=exact, ampm=ap)

        self.sub(_HOUR_AMPM, TIME, hour)
        self.sub(_HOUR_MARK, TIME, hour)
        self.sub(_HOUR_SFX, TIME, hour)
        self._bare_hours()

    def _bare_hours(self):
        """A lone number is an hour when it is all there is, follows a day or part, or is
        the other half of "2 or 4 pm"."""
        toks = [t.group(0) for t in _TOKEN.finditer(self.s)]
        words = [t for t in toks if t not in (DAY, PART, TIME, WEEKDAY)]
        toks = ["", ""] + toks + ["", ""]
        for i in range(2, len(toks) - 2):
            tok, prev, nxt = toks[i], toks[i - 1], toks[i + 1]
            if not tok.isdigit() or len(tok) > 2 or _NOT_HOURS.match(nxt):
                continue
            if prev == WEEKDAY and 24 < int(tok) <= 31:  # "sabato 28": the 28th
                self.days.append(self._day_of_month(int(tok)) or ("ask", []))
                continue
            if (
                prev in (DAY, PART, WEEKDAY)
                or nxt == PART
                or (len(words) == 1 and not self.times and not self.days)
                or (_OR.match(nxt) and toks[i + 2] == TIME)
                or (_OR.match(prev) and toks[i - 2] == TIME)
            ):
                h = int(tok)
                self._time(h, 0, exact=h >= 13 or h == 0 or tok.startswith("0"))

    # -- result ----------------------------------------------------------------------

    def _clock(self, h, mi, exact, ampm, part):
        """(time, None) or (None, (t1, t2)) when morning and afternoon both fit."""
        if ampm == "pm" and h < 12:
            return time(h + 12, mi), None
        if ampm == "am":
            return time(0 if h == 12 else h, mi), None
        if exact or h == 12 and part != "night" or h == 0:
            return time(h, mi), None
        if h == 12:
            return time(0, mi), None
        if part == "morning":
            return time(h, mi), None
        if part in ("afternoon", "evening"):
            return time(h + 12, mi), None
        if part == "night":
            return time(h + 12 if h >= 7 else h, mi), None
        early, late = time(h, mi), time(h + 12, mi)
        if self.is_open:
            open_early, open_late = bool(self.is_open(h)), bool(self.is_open(h + 12))
            if open_early != open_late:
                return (early if open_early else late), None
        elif h >= 8:
            return early, None
        return None, (early, late)

    def result(self):
        when = When()
        self._result_day(when)
        self._result_time(when)
        return when

    def _result_day(self, when):
        dates = [d for d in self.days if isinstance(d, date)]
        if not (dates and all(d.weekday() == wd for d in dates for wd, _found in self.weekdays)):
            # "Monday 30 November": the date says which Monday; otherwise both count
            self.days += [found for _wd, found in self.weekdays]
            dates = [d for d in self.days if isinstance(d, date)]
        asks = [d for d in self.days if not isinstance(d, date)]
        unique = sorted(set(dates))
        if len(unique) == 1 and all(unique[0] in cands for _ask, cands in asks):
            when.day = unique[0]  # "next Friday 27 November": the date settles it
        elif asks or unique:
            opts = set(unique).union(*(cands for _ask, cands in asks))
            when.question, when.options = "day", tuple(sorted(opts))

    def _result_time(self, when):
        part = self.parts[0] if self.parts else None
        clocks, ampm = set(), []
        for t in self.times:
            if t != "range":
                clock, both = self._clock(*t, part)
                if clock is not None:
                    clocks.add(clock)
                else:
                    ampm.append(both)
        # "3 or 15:00" is one time; "3 or 4" two
        clocks.update(both for both in ampm if not clocks & set(both))
        if "range" in self.times or len(clocks) > 1:
            if not when.question:
                when.question = "time"
                when.options = tuple(sorted(c for c in clocks if isinstance(c, time)))
        elif clocks:
            clock = next(iter(clocks))
            if isinstance(clock, time):
                when.time = clock
            elif not when.question:
                when.question, when.options = "ampm", clock
        if part and when.time is None and when.question != "ampm":
            when.part = "evening" if part == "night" else part


def parse_when(text, lang, today, is_open=None):
    """Read a day, a time or a part of the day in a customer's message (see module doc)."""
    p = _Parse(text, lang, today, is_open)
    p.parse_days()
    p.parse_parts()
    p.parse_times()
    p.parse_clock()
    return p.result()
