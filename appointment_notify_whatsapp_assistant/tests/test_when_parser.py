import time as clock
from datetime import date, time

from odoo.tests import BaseCase, tagged

from ..tools.when_parser import When, parse_when

TODAY = date(2026, 11, 18)  # a Wednesday


def is_open(hour):
    return 9 <= hour < 18


# days as the table writes them
WED, THU, FRI, SAT = "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21"
MON, TUE, NEXT_WED, NEXT_FRI = "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-27"
NOV25, NOV30, DEC1, DEC3 = "2026-11-25", "2026-11-30", "2026-12-01", "2026-12-03"
NOTHING = (None, None, None, None)

# (lang, phrase, (day, time, part, question)) with today = Wed 18 Nov 2026, open 09-18
RESEARCH_ROWS = [
    # research section 2.3: dateparser correct
    ("tr", "yarın 14:00", (THU, "14:00", None, None)),
    ("nl", "morgen om 15:00", (THU, "15:00", None, None)),
    ("it", "domani alle 15:00", (THU, "15:00", None, None)),
    ("uk", "завтра о 14:00", (THU, "14:00", None, None)),
    ("nl", "overmorgen 14:00", (FRI, "14:00", None, None)),
    ("uk", "післязавтра о 9:30", (FRI, "09:30", None, None)),
    ("en", "tomorrow at 3pm", (THU, "15:00", None, None)),
    ("tr", "25 Kasım 14:00", (NOV25, "14:00", None, None)),
    # parse() gave None, search_dates right
    ("tr", "Yarın 14:00 uygun mu?", (THU, "14:00", None, None)),
    # dateparser: date right, time lost
    ("tr", "yarın saat 14", (THU, "14:00", None, None)),
    ("tr", "yarın saat 14:00", (THU, "14:00", None, None)),
    ("it", "domani alle 15", (THU, "15:00", None, None)),
    ("uk", "завтра о 14", (THU, "14:00", None, None)),
    # dateparser wrong (13:00, Fri 01:00, Fri 00:00)
    ("nl", "morgen om 3 uur", (THU, "15:00", None, None)),
    ("nl", "morgen om 15 uur", (THU, "15:00", None, None)),
    ("uk", "завтра о 14 годині", (THU, "14:00", None, None)),
    # dateparser: wrong date
    ("nl", "vrijdag om 10 uur", (FRI, "10:00", None, None)),
    ("it", "venerdì alle 10", (FRI, "10:00", None, None)),
    # dateparser: only part of the phrase used
    ("tr", "öbür gün", (FRI, None, None, None)),
    ("it", "dopodomani", (FRI, None, None, None)),
    ("nl", "morgen om half 4", (THU, "15:30", None, None)),
    ("tr", "öğleden sonra 3", (None, "15:00", None, None)),
]

MORE_ROWS = [
    # -- English
    ("en", "today", (WED, None, None, None)),
    ("en", "Can I come tomorrow?", (THU, None, None, None)),
    ("en", "the day after tomorrow at 10", (FRI, "10:00", None, None)),
    ("en", "Friday", (FRI, None, None, None)),
    ("en", "this friday at 2:30 pm", (FRI, "14:30", None, None)),
    ("en", "next friday", (None, None, None, "day")),  # Fri 20 or Fri 27
    ("en", "next monday 9am", (MON, "09:00", None, None)),
    ("en", "next week friday", (NEXT_FRI, None, None, None)),
    ("en", "friday next week", (NEXT_FRI, None, None, None)),
    ("en", "next friday 27 november", (NEXT_FRI, None, None, None)),
    ("en", "wednesday", (None, None, None, "day")),  # today or in a week
    ("en", "this wednesday", (WED, None, None, None)),
    ("en", "Nov 25", (NOV25, None, None, None)),
    ("en", "November 25th at 14:00", (NOV25, "14:00", None, None)),
    ("en", "25th of November", (NOV25, None, None, None)),
    ("en", "1 dec", (DEC1, None, None, None)),
    ("en", "17 November", ("2027-11-17", None, None, None)),  # past this year
    ("en", "5/11", (None, None, None, "day")),  # 5 Nov or May 11
    ("en", "11/25", (NOV25, None, None, None)),
    ("en", "2026-11-25", (NOV25, None, None, None)),
    ("en", "25-11-2026", (NOV25, None, None, None)),
    ("en", "Monday 30 November", (NOV30, None, None, None)),
    ("en", "Tuesday 30 November", (None, None, None, "day")),  # 30 Nov is a Monday
    ("en", "3 pm", (None, "15:00", None, None)),
    ("en", "at 3", (None, "15:00", None, None)),
    ("en", "half past 3", (None, "15:30", None, None)),
    ("en", "quarter to 4", (None, "15:45", None, None)),
    ("en", "half 4", (None, "16:30", None, None)),  # British: 4:30
    ("en", "3 o'clock", (None, "15:00", None, None)),
    ("en", "at three", (None, "15:00", None, None)),
    ("en", "5pm tomorrow", (THU, "17:00", None, None)),
    ("en", "tomorrow morning", (THU, None, "morning", None)),
    ("en", "tomorrow afternoon at 3", (THU, "15:00", None, None)),
    ("en", "tonight at 8", (WED, "20:00", None, None)),
    ("en", "at noon", (None, "12:00", None, None)),
    ("en", "at 8", (None, None, None, "ampm")),  # 08:00 and 20:00 both closed
    ("en", "in 2 days", (FRI, None, None, None)),
    ("en", "tomorrow after 3", (THU, "15:00", None, None)),
    ("en", "monday evening", (MON, None, "evening", None)),
    ("en", "the 25th", (NOV25, None, None, None)),
    ("en", "on the 3rd", (DEC3, None, None, None)),  # the 3rd of this month is past
    ("en", "the 31st", ("2026-12-31", None, None, None)),  # November has no 31st
    ("en", "Saturday 28th at 11", ("2026-11-28", "11:00", None, None)),
    # -- Turkish
    ("tr", "bugün", (WED, None, None, None)),
    ("tr", "YARIN SAAT 15:00", (THU, "15:00", None, None)),
    ("tr", "yarin 15", (THU, "15:00", None, None)),
    ("tr", "yarın 3", (THU, "15:00", None, None)),
    ("tr", "ertesi gün 11'de", (FRI, "11:00", None, None)),
    ("tr", "bu cuma", (FRI, None, None, None)),
    ("tr", "önümüzdeki cuma", (FRI, None, None, None)),
    ("tr", "gelecek cuma", (None, None, None, "day")),
    ("tr", "haftaya salı", (TUE, None, None, None)),
    ("tr", "cumaya saat 3", (FRI, "15:00", None, None)),
    ("tr", "cumartesi 10:30", (SAT, "10:30", None, None)),
    ("tr", "pazartesi günü saat 9", (MON, "09:00", None, None)),
    ("tr", "25 Kasım'da saat 14", (NOV25, "14:00", None, None)),
    ("tr", "25 Kasım 14", (NOV25, "14:00", None, None)),
    ("tr", "3 Aralık", (DEC3, None, None, None)),
    ("tr", "10 Ekim", ("2027-10-10", None, None, None)),
    ("tr", "25.11.2026 14:00", (NOV25, "14:00", None, None)),
    ("tr", "14:30'da", (None, "14:30", None, None)),
    ("tr", "saat 3'te", (None, "15:00", None, None)),
    ("tr", "saat üçte", (None, "15:00", None, None)),
    ("tr", "3 buçukta", (None, "15:30", None, None)),
    ("tr", "4'e çeyrek var", (None, "15:45", None, None)),
    ("tr", "3'ü çeyrek geçe", (None, "15:15", None, None)),
    ("tr", "15'te", (None, "15:00", None, None)),
    ("tr", "yarın akşam 7", (THU, "19:00", None, None)),
    ("tr", "sabah 10", (None, "10:00", None, None)),
    ("tr", "yarın sabah", (THU, None, "morning", None)),
    ("tr", "bu akşam", (WED, None, "evening", None)),
    ("tr", "yarin ogleden sonra 4", (THU, "16:00", None, None)),
    ("tr", "öğlen", (None, "12:00", None, None)),
    ("tr", "öğlen 1", (None, "13:00", None, None)),
    ("tr", "gece 11", (None, "23:00", None, None)),
    ("tr", "yarın 14:00 veya 3", (THU, None, None, "time")),
    ("tr", "ayın 25'inde saat 3", (NOV25, "15:00", None, None)),
    ("tr", "Yarın öğleden sonra müsait misiniz?", (THU, None, "afternoon", None)),
    ("tr", "perşembe 16.00", (THU, "16:00", None, None)),
    ("tr", "25/11 akşam", (NOV25, None, "evening", None)),
    ("tr", "yarın 10 gibi", (THU, "10:00", None, None)),
    ("tr", "cuma 3'ten sonra", (FRI, "15:00", None, None)),
    # -- Dutch
    ("nl", "vandaag", (WED, None, None, None)),
    ("nl", "Goedemorgen, kan ik morgen om 3 uur komen?", (THU, "15:00", None, None)),
    ("nl", "vrijdag", (FRI, None, None, None)),
    ("nl", "aanstaande vrijdag", (FRI, None, None, None)),
    ("nl", "volgende vrijdag", (None, None, None, "day")),
    ("nl", "volgende week dinsdag", (TUE, None, None, None)),
    ("nl", "woensdag", (None, None, None, "day")),
    ("nl", "25 november", (NOV25, None, None, None)),
    ("nl", "25 nov om 14.00", (NOV25, "14:00", None, None)),
    ("nl", "25.11", (NOV25, None, None, None)),
    ("nl", "25-11", (NOV25, None, None, None)),
    ("nl", "14.00", (None, "14:00", None, None)),
    ("nl", "om 14.30 uur", (None, "14:30", None, None)),
    ("nl", "morgen 10.15", (THU, "10:15", None, None)),
    ("nl", "om 15u", (None, "15:00", None, None)),
    ("nl", "half 4", (None, "15:30", None, None)),
    ("nl", "kwart over 3", (None, "15:15", None, None)),
    ("nl", "kwart voor 4", (None, "15:45", None, None)),
    ("nl", "5 voor half 4", (None, "15:25", None, None)),
    ("nl", "om drie uur", (None, "15:00", None, None)),
    ("nl", "'s middags om 3 uur", (None, "15:00", None, None)),
    ("nl", "'s ochtends om 9 uur", (None, "09:00", None, None)),
    ("nl", "morgenochtend", (THU, None, "morning", None)),
    ("nl", "morgenmiddag om 2 uur", (THU, "14:00", None, None)),
    ("nl", "vanavond om 7 uur", (WED, "19:00", None, None)),
    ("nl", "zaterdag om 11", (SAT, "11:00", None, None)),
    ("nl", "over 3 dagen", (SAT, None, None, None)),
    ("nl", "Kan ik donderdag 26 november om 10 uur komen?", ("2026-11-26", "10:00", None, None)),
    ("nl", "donderdag tussen 2 en 4", (THU, None, None, "time")),
    ("nl", "op de 25e om 3 uur", (NOV25, "15:00", None, None)),
    ("nl", "donderdagmiddag", (THU, None, "afternoon", None)),
    ("nl", "morgen in de ochtend", (THU, None, "morning", None)),
    ("nl", "zaterdagavond om 8 uur", (SAT, "20:00", None, None)),
    ("nl", "morgen rond 2 uur", (THU, "14:00", None, None)),
    ("nl", "morgen 14 of 15 uur", (THU, None, None, "time")),
    # -- Italian
    ("it", "oggi", (WED, None, None, None)),
    ("it", "posso venire domani alle 15?", (THU, "15:00", None, None)),
    ("it", "domani alle 3", (THU, "15:00", None, None)),
    ("it", "venerdi", (FRI, None, None, None)),
    ("it", "questo venerdì", (FRI, None, None, None)),
    ("it", "venerdì prossimo", (None, None, None, "day")),
    ("it", "venerdì della prossima settimana", (NEXT_FRI, None, None, None)),
    ("it", "lunedì 30 novembre", (NOV30, None, None, None)),
    ("it", "25 novembre", (NOV25, None, None, None)),
    ("it", "il 3 dicembre alle 10", (DEC3, "10:00", None, None)),
    ("it", "alle 15 e 30", (None, "15:30", None, None)),
    ("it", "alle 3 e mezza", (None, "15:30", None, None)),
    ("it", "alle 3 e un quarto", (None, "15:15", None, None)),
    ("it", "alle 4 meno un quarto", (None, "15:45", None, None)),
    ("it", "all'una", (None, "13:00", None, None)),
    ("it", "alle tre", (None, "15:00", None, None)),
    ("it", "ore 15", (None, "15:00", None, None)),
    ("it", "sabato alle 10:30", (SAT, "10:30", None, None)),
    ("it", "domani pomeriggio", (THU, None, "afternoon", None)),
    ("it", "domani pomeriggio alle 4", (THU, "16:00", None, None)),
    ("it", "giovedì alle 5 del pomeriggio", (THU, "17:00", None, None)),
    ("it", "stasera alle 8", (WED, "20:00", None, None)),
    ("it", "domattina", (THU, None, "morning", None)),
    ("it", "domani mattina alle 9", (THU, "09:00", None, None)),
    ("it", "tra 3 giorni", (SAT, None, None, None)),
    ("it", "il 25 alle 15", (NOV25, "15:00", None, None)),
    ("it", "sabato 28", ("2026-11-28", None, None, None)),  # the 28th, not 28:00
    ("it", "domani dopo le 15", (THU, "15:00", None, None)),
    ("it", "venerdì sera", (FRI, None, "evening", None)),
    ("it", "lunedì mattina", (MON, None, "morning", None)),
    # -- Ukrainian
    ("uk", "сьогодні", (WED, None, None, None)),
    ("uk", "чи можна завтра о 14?", (THU, "14:00", None, None)),
    ("uk", "п'ятниця", (FRI, None, None, None)),
    ("uk", "в пʼятницю о 10", (FRI, "10:00", None, None)),  # U+02BC apostrophe
    ("uk", "цієї п'ятниці", (FRI, None, None, None)),
    ("uk", "наступної п'ятниці", (None, None, None, "day")),
    ("uk", "у наступну п'ятницю", (None, None, None, "day")),
    ("uk", "наступного понеділка", (MON, None, None, None)),
    ("uk", "наступного тижня у вівторок", (TUE, None, None, None)),
    ("uk", "у суботу о 12", (SAT, "12:00", None, None)),
    ("uk", "у середу", (None, None, None, "day")),
    ("uk", "у четвер о 9", (THU, "09:00", None, None)),
    ("uk", "25 листопада", (NOV25, None, None, None)),
    ("uk", "3 грудня о 10:00", (DEC3, "10:00", None, None)),
    ("uk", "о 3", (None, "15:00", None, None)),
    ("uk", "о 14 годині", (None, "14:00", None, None)),
    ("uk", "о третій годині", (None, "15:00", None, None)),
    ("uk", "о пів на четверту", (None, "15:30", None, None)),
    ("uk", "о 3 дня", (None, "15:00", None, None)),
    ("uk", "о 7 вечора", (None, "19:00", None, None)),
    ("uk", "о 9 ранку", (None, "09:00", None, None)),
    ("uk", "після обіду о 3", (None, "15:00", None, None)),
    ("uk", "завтра вранці о 10", (THU, "10:00", None, None)),
    ("uk", "завтра вдень", (THU, None, "afternoon", None)),
    ("uk", "завтра ввечері", (THU, None, "evening", None)),
    ("uk", "через 2 дні", (FRI, None, None, None)),
    ("uk", "на 15:30", (None, "15:30", None, None)),
    ("uk", "15", (None, "15:00", None, None)),
    ("uk", "25-го о 14", (NOV25, "14:00", None, None)),
    ("uk", "завтра після 15", (THU, "15:00", None, None)),
    ("uk", "у понеділок зранку", (MON, None, "morning", None)),
    ("uk", "в пʼятницю ввечері", (FRI, None, "evening", None)),
    ("uk", "з 14 до 16", (None, None, None, "time")),
    # -- mixed: a Turkish day in a Dutch chat, digits are universal
    ("nl", "yarın 14:00", (THU, "14:00", None, None)),
    ("tr_TR", "domani 15:00", (THU, "15:00", None, None)),
    ("uk_UA", "2026-11-25 14:30", (NOV25, "14:30", None, None)),
]

NEGATIVE_ROWS = [
    # nothing to read: an empty When, never an exception
    ("en", "", NOTHING),
    ("en", "hello, I want to book a haircut", NOTHING),
    ("tr", "randevu almak istiyorum", NOTHING),
    ("nl", "ik wil een afspraak maken", NOTHING),
    ("nl", "goede morgen", NOTHING),  # a greeting, not "tomorrow"
    ("it", "vorrei prenotare un taglio", NOTHING),
    ("uk", "хочу записатися на стрижку", NOTHING),
    ("uk", "25", NOTHING),  # not an hour, no month
    ("en", "at 25:00", NOTHING),
    ("en", "🙂👍", NOTHING),
    ("en", "call me on 0612345678", NOTHING),
    # a number that counts something else is not an hour
    ("tr", "yarın 2 kişi", (THU, None, None, None)),
    ("en", "table for 2 people tomorrow", (THU, None, None, None)),
    ("en", "tomorrow, 2nd floor", (THU, None, None, None)),
    ("nl", "de 2e week", NOTHING),
    ("nl", "voor 3 personen", NOTHING),
    ("en", "tomorrow for 2 hours", (THU, None, None, None)),
    # days that do not exist or are past: ask
    ("en", "31/11", (None, None, None, "day")),
    ("tr", "30 Şubat", (None, None, None, "day")),
    ("en", "25-11-2025", (None, None, None, "day")),
    # two different days or times: ask, never pick one
    ("en", "tomorrow or friday", (None, None, None, "day")),
    ("en", "2 or 4 pm?", (None, None, None, "time")),
    ("en", "between 2 and 4", (None, None, None, "time")),
    ("en", "tomorrow 14-16", (THU, None, None, "time")),
]


def _row(when):
    return (
        when.day and when.day.isoformat(),
        when.time and when.time.strftime("%H:%M"),
        when.part,
        when.question,
    )


@tagged("post_install", "-at_install", "appointment_notify_whatsapp_assistant")
class TestWhenParser(BaseCase):
    """Days and times as customers write them, in the assistant's five languages."""

    def _check(self, rows, opening=is_open):
        for lang, phrase, expected in rows:
            with self.subTest(lang=lang, phrase=phrase):
                when = parse_when(phrase, lang, TODAY, opening)
                self.assertIsInstance(when, When)
                self.assertEqual(_row(when), expected)

    def test_research_rows(self):
        """Every row of the research table, including those dateparser got wrong."""
        self._check(RESEARCH_ROWS)

    def test_more_phrases(self):
        self.assertGreaterEqual(len(MORE_ROWS), 60)
        self.assertEqual({lang[:2] for lang, _p, _e in MORE_ROWS}, {"en", "tr", "nl", "it", "uk"})
        self._check(MORE_ROWS)

    def test_negative(self):
        self._check(NEGATIVE_ROWS)

    def test_bare_hours_without_opening_hours(self):
        """No is_open: 1-7 is afternoon only with a day part, else ask; never a guess."""
        self._check(
            [
                ("nl", "morgen om 3 uur", (THU, None, None, "ampm")),
                ("tr", "saat 3", (None, None, None, "ampm")),
                ("it", "alle 3", (None, None, None, "ampm")),
                ("uk", "о 3", (None, None, None, "ampm")),
                ("en", "3", (None, None, None, "ampm")),
                ("nl", "morgen om half 4", (THU, None, None, "ampm")),
                ("tr", "öğleden sonra 3", (None, "15:00", None, None)),
                ("nl", "'s middags om 3 uur", (None, "15:00", None, None)),
                ("it", "alle 3 di pomeriggio", (None, "15:00", None, None)),
                ("uk", "ввечері о 7", (None, "19:00", None, None)),
                ("tr", "sabah 7", (None, "07:00", None, None)),
                ("en", "at 3pm", (None, "15:00", None, None)),
                ("en", "at 9", (None, "09:00", None, None)),
                ("tr", "saat 14", (None, "14:00", None, None)),
                ("nl", "om 09:00", (None, "09:00", None, None)),
            ],
            opening=None,
        )

    def test_bare_hours_against_opening_hours(self):
        """The hour the business is open at wins; both or neither open: ask."""
        late = lambda hour: 14 <= hour < 23
        around_the_clock = lambda hour: True
        self.assertEqual(parse_when("om 3 uur", "nl", TODAY, is_open).time, time(15, 0))
        self.assertEqual(parse_when("alle 10", "it", TODAY, is_open).time, time(10, 0))
        self.assertEqual(parse_when("alle 10", "it", TODAY, late).time, time(22, 0))
        when = parse_when("saat 3", "tr", TODAY, around_the_clock)
        self.assertEqual((when.time, when.question), (None, "ampm"))
        self.assertEqual(when.options, (time(3, 0), time(15, 0)))
        when = parse_when("о 8", "uk", TODAY, is_open)  # 08:00 and 20:00 both closed
        self.assertEqual((when.time, when.question), (None, "ampm"))
        self.assertEqual(when.options, (time(8, 0), time(20, 0)))
        # a day part is the customer's word: it beats the opening hours
        self.assertEqual(parse_when("sabah 3", "tr", TODAY, is_open).time, time(3, 0))

    def test_options_for_questions(self):
        when = parse_when("next friday", "en", TODAY)
        self.assertEqual(when.options, (date(2026, 11, 20), date(2026, 11, 27)))
        when = parse_when("5/11", "en_US", TODAY)
        self.assertEqual(when.options, (date(2027, 5, 11), date(2027, 11, 5)))
        # not English: day/month
        self.assertEqual(parse_when("5/12", "nl_NL", TODAY).day, date(2026, 12, 5))
        when = parse_when("morgen 14 of 15 uur", "nl", TODAY, is_open)
        self.assertEqual(when.options, (time(14, 0), time(15, 0)))
        when = parse_when("woensdag", "nl", TODAY)
        self.assertEqual(when.options, (date(2026, 11, 18), date(2026, 11, 25)))

    def test_language_codes(self):
        """Odoo codes and two-letter codes read alike; 'half 4' follows the language."""
        for lang in ("nl", "nl_NL", "nl_BE"):
            self.assertEqual(parse_when("half 4", lang, TODAY, is_open).time, time(15, 30))
        for lang in ("en", "en_US", "en_GB"):
            self.assertEqual(parse_when("half 4", lang, TODAY, is_open).time, time(16, 30))
        self.assertEqual(parse_when("yarın", None, TODAY).day, date(2026, 11, 19))

    def test_year_end(self):
        """Near New Year a January date is next year's, and 'tomorrow' crosses it."""
        dec31 = date(2026, 12, 31)
        self.assertEqual(parse_when("5 ocak", "tr", dec31).day, date(2027, 1, 5))
        self.assertEqual(parse_when("domani", "it", dec31).day, date(2027, 1, 1))
        self.assertEqual(parse_when("31.12", "nl", dec31).day, dec31)

    def test_fast(self):
        """Well under a millisecond a phrase on a quiet machine; 5 ms leaves room for load."""
        phrases = [(lang, phrase) for lang, phrase, _e in RESEARCH_ROWS + MORE_ROWS]
        start = clock.perf_counter()
        for _round in range(5):
            for lang, phrase in phrases:
                parse_when(phrase, lang, TODAY, is_open)
        per_parse = (clock.perf_counter() - start) / (5 * len(phrases))
        self.assertLess(per_parse, 0.005)
