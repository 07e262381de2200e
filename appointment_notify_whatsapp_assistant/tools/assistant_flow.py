"""The guided conversation: one turn in, replies out.

Contract:

    AssistantFlow(session).handle(text, choice) -> list[Reply]

``session``: an ``appointment.notify.assistant.session`` record (sudo), its ``state``
and ``data`` updated in place; ``text``: what the customer wrote in this turn (several
messages joined by newlines); ``choice``: the choice id they tapped (ButtonPayload or
ListId) or None. A bare number answers the last numbered options (``data["options"]``).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytz
from babel import dates as babel_dates

from odoo import fields
from odoo.tools.misc import babel_locale_parse

from odoo.addons.appointment_notify_booking.models.appointment_notify_service import (
    BookingUnavailable,
)

from .when_parser import parse_when


@dataclass
class Option:
    id: str  # a choice id, see appointment_notify_assistant_session.py
    title: str  # button / list item text (WhatsApp: <= 24 characters)
    description: str = ""  # list item description (<= 72 characters)


@dataclass
class Reply:
    text: str
    options: list[Option] = field(default_factory=list)


# List-picker sized: 9 days or times + one "more" item.
MAX_ITEMS = 9
# Days of availability computed at once when listing free days (see _free_days).
DAYS_PER_SEARCH = 14
# Failed turns in a row before a person takes over.
MAX_FAILS = 2
# Day formats per language: full in sentences, short in option titles (<= 24).
DAY_FORMATS = {
    "en": ("EEEE d MMMM", "EEE d MMM"),
    "tr": ("d MMMM EEEE", "d MMM EEE"),
    "nl": ("EEEE d MMMM", "EEE d MMM"),
    "it": ("EEEE d MMMM", "EEE d MMM"),
    "uk": ("d MMMM (EEE)", "EEE, d MMM"),  # weekday apart: "до 1 березня (нд)"
}


def _stems(text):
    return tuple(text.split("|"))


# Free-text intents, as word stems (a word starting with one matches; "|" separates
# stems) in en, tr, nl, it, uk; checked in this order: "talk to a person" wins over
# everything, "cancel my appointments" is a cancel and "my appointments" not a booking.
INTENT_WORDS = [
    (
        "human",
        _stems(
            "human|person|agent|operator|temsilci|yetkili|insan|medewerker|operatore"
            "|оператор|людин|менеджер"
        ),
    ),
    ("cancel", _stems("cancel|iptal|annule|afzegg|disdi|annull|cancella|скасув|відмін")),
    (
        "reschedule",
        _stems(
            "reschedule|move|change|ertele|değiştir|degistir|verzet|verplaats"
            "|sposta|cambia|перенес|змін"
        ),
    ),
    (
        "list",
        _stems(
            "my appointments|randevularım|mijn afspraken|miei appuntamenti"
            "|mie prenotazioni|мої записи"
        ),
    ),
    ("book", _stems("book|appointment|randevu|afspraak|boeken|prenot|appuntament|запис")),
]
MENU_WORDS = _stems(
    "menu|hi|hello|hey|start|merhaba|selam|menü|hallo|goedendag|ciao|buongiorno|salve"
    "|привіт|добрий|меню"
)
YES_WORDS = _stems("yes|y|ok|okay|evet|tamam|olur|ja|graag|sì|si|certo|va bene|так|добре|гаразд")
NO_WORDS = _stems("no|n|hayır|nee|ні|не")


def _norm(text):
    """Lower case, dotless: 'İPTAL', 'IPTAL' and 'iptal' are one word, as are
    'Hayır' and 'hayir' (customers type without Turkish letters)."""
    text = unicodedata.normalize("NFC", (text or "").replace("İ", "i"))
    return text.lower().replace("i̇", "i").replace("ı", "i").strip()


def _words(text):
    return re.findall(r"[\w'’]+", _norm(text))


def _has_stem(text, stem):
    norm, stem = _norm(text), _norm(stem)
    if " " in stem:
        return stem in norm
    return any(word.startswith(stem) for word in _words(norm))


class AssistantFlow:
    def __init__(self, session):
        self.session = session
        partner = session.partner_id
        self.lang = session.lang or partner.lang or "en_US"
        self.env = session.env(context=dict(session.env.context, lang=self.lang))
        self.company = session.company_id.with_env(self.env)
        self.data = dict(session.data or {})
        self.now = fields.Datetime.now()

    # ------------------------------------------------------------------
    # helpers: language, dates, state
    # ------------------------------------------------------------------

    def _(self, source, **kwargs):
        """Translate into the customer's language (exported with the addon's terms)."""
        return self.env._(source, **kwargs)

    @property
    def locale(self):
        return babel_locale_parse(self.lang)

    def _formats(self):
        return DAY_FORMATS.get(self.lang[:2], DAY_FORMATS["en"])

    def _tz(self, service=None):
        service = service or self._service() or self._services()[:1]
        return service._booking_tz() if service else pytz.utc

    def _local(self, utc, service=None):
        return pytz.utc.localize(utc).astimezone(self._tz(service))

    def _utc(self, day, clock, service=None):
        local = self._tz(service).localize(datetime.combine(day, clock))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def _fmt_day(self, day, short=False):
        return babel_dates.format_date(day, self._formats()[1 if short else 0], locale=self.locale)

    def _fmt_time(self, utc, service=None):
        return babel_dates.format_time(self._local(utc, service), "short", locale=self.locale)

    def _fmt_when(self, utc, service=None, short=False):
        local = self._local(utc, service)
        clock = babel_dates.format_time(local, "short", locale=self.locale)
        return f"{self._fmt_day(local.date(), short=short)} {clock}"

    def _save(self, state=None):
        if state:
            self.session.state = state
        self.session.data = self.data

    def _reply(self, text, options=None, state=None):
        options = options or []
        self.data["options"] = [option.id for option in options]
        self._save(state)
        return [Reply(text, options)]

    def _service(self):
        if self.data.get("event_id"):
            return self._event().notify_service_id
        service_id = self.data.get("service_id")
        return self.env["appointment.notify.service"].browse(service_id) if service_id else None

    def _staff(self):
        staff_id = self.data.get("staff_id")
        return self.env["resource.resource"].browse(staff_id) if staff_id else None

    def _event(self):
        return self.env["calendar.event"].browse(self.data.get("event_id") or [])

    def _services(self):
        return self.env["appointment.notify.service"].search([("company_id", "=", self.company.id)])

    def _events(self):
        """The customer's own open appointments of this company, soonest first."""
        partner = self.session.partner_id
        if not partner:
            return self.env["calendar.event"]
        events = self.env["calendar.event"].search(
            [
                ("partner_ids", "in", partner.ids),
                ("notify_service_id.company_id", "=", self.company.id),
                ("start", ">", self.now),
            ],
            order="start",
        )
        return events.filtered(lambda e: e._notify_manage_is_open())

    # ------------------------------------------------------------------
    # the turn
    # ------------------------------------------------------------------

    def handle(self, text, choice=None):
        text = (text or "").strip()
        if not choice and text:
            choice = self._choice_from_text(text)
        replies = self._turn(text, choice)
        if replies is None:
            return self._fail()
        self.data.pop("fails", None)
        self._save()
        return replies

    def _choice_from_text(self, text):
        """The numbered fallback ("2") and an option title typed as is."""
        options = self.data.get("options") or []
        if text.isdigit() and 1 <= int(text) <= len(options):
            return options[int(text) - 1]
        wanted = _norm(text)
        for option_id in options:
            if wanted in {_norm(title) for title in self._titles(option_id)}:
                return option_id
        if self.session.state == "confirm":
            first = (_words(text) or [""])[0]
            for answer, words in (("yes", YES_WORDS), ("no", NO_WORDS)):
                words = {_norm(word) for word in words}
                if wanted in words or first in words:
                    return answer
        return None

    def _titles(self, option_id):
        """The titles a choice id is shown with (to match a title typed out)."""
        kind, _sep, value = option_id.partition(":")
        if kind in ("svc", "staff") and value.isdigit():
            model = "appointment.notify.service" if kind == "svc" else "resource.resource"
            return [self.env[model].browse(int(value)).exists().name or ""]
        if kind == "intent":
            return [dict(self._menu_titles()).get(option_id, "")]
        if option_id == "staff:any":
            return [self._("Anyone")]
        if option_id == "day:more":
            return [self._("Later days"), self._("Another day")]
        try:
            if kind == "day":
                return [self._fmt_day(date.fromisoformat(value), short=True)]
            if kind == "slot":
                start = datetime.fromisoformat(value)
                return [self._fmt_time(start), self._fmt_when(start, short=True)]
        except ValueError:
            return []
        return {"yes": [self._("Yes")], "no": [self._("No")]}.get(kind, [])

    def _intent_of(self, text):
        for intent, stems in INTENT_WORDS:
            if any(_has_stem(text, stem) for stem in stems):
                return intent
        return None

    def _turn(self, text, choice):
        """The replies, or None when the turn was not understood."""
        state = self.session.state
        if choice:
            replies = self._on_choice(choice)
            if replies is not None:
                return replies
        if not text:
            return None
        words = _words(text)
        is_menu = bool(words) and _norm(words[0]) in {_norm(w) for w in MENU_WORDS}
        intent = self._intent_of(text)
        # A name is a few words without digits; anything else is read as usual.
        is_name = len(words) <= 5 and not any(c.isdigit() for c in text)
        if state == "name" and is_name and not is_menu and intent != "human":
            return self._on_name(text)
        if intent == "human":
            return self._handoff("asked")
        if is_menu and len(words) <= 2:
            return self._menu()
        booking = self.data.get("intent") in ("book", "reschedule")
        if not intent and (state in ("service", "staff", "day", "time") or booking):
            if state == "service":
                service = self._service_in_text(text)
                if service:
                    self.data["service_id"] = service.id
                    return self._next_booking_step()
            replies = self._on_when(text)
            if replies is not None:
                return replies
        if intent:
            return self._start(intent, text)
        if state in ("idle", "handoff", "pick_appointment"):
            # A day and time on their own ("Yarın 14:00 uygun mu?") is a booking request.
            when = self._parse(text)
            if when.day or when.time or when.question:
                return self._start("book", text)
        return None

    def _fail(self):
        self.data["fails"] = self.data.get("fails", 0) + 1
        if self.data["fails"] >= MAX_FAILS:
            return self._handoff("failed")
        if self.session.state in ("idle", "handoff"):
            return self._menu(keep_fails=True)
        text = self._(
            "Sorry, I did not understand. Please choose an option or reply with its number."
        )
        return [Reply(text, [])] + self._ask_again()

    def _ask_again(self):
        """The current question once more (after a turn we did not understand)."""
        state = self.session.state
        fails = self.data.get("fails", 0)
        if state == "service":
            replies = self._ask_service()
        elif state == "staff":
            replies = self._ask_staff()
        elif state == "day":
            replies = self._ask_day()
        elif state == "time" and self.data.get("day"):
            replies = self._ask_time(date.fromisoformat(self.data["day"]))
        elif state == "confirm":
            replies = self._ask_confirm()
        elif state == "pick_appointment":
            replies = self._ask_appointment(self.data.get("intent"))
        elif state == "name":
            replies = self._reply(self._("What is your name?"))
        else:
            replies = self._menu(keep_fails=True)
        self.data["fails"] = fails
        self._save()
        return replies

    # ------------------------------------------------------------------
    # menu, hand-off, name
    # ------------------------------------------------------------------

    def _menu_titles(self):
        # One term per statement: Babel's extractor would take the choice ids of a
        # list of (id, _("title")) pairs for terms too.
        book = self._("Book")
        mine = self._("My appointments")
        move = self._("Reschedule")
        cancel = self._("Cancel")
        human = self._("Talk to a person")
        return [
            ("intent:book", book),
            ("intent:list", mine),
            ("intent:reschedule", move),
            ("intent:cancel", cancel),
            ("intent:human", human),
        ]

    def _menu(self, text=None, keep_fails=False):
        fails = self.data.get("fails", 0) if keep_fails else 0
        self.data = {"fails": fails} if fails else {}
        if text is None:
            if self.session.partner_id:
                text = self._(
                    "Hello %(name)s, this is %(company)s. What would you like to do?",
                    name=self.session.partner_id.name,
                    company=self.company.name,
                )
            else:
                text = self._(
                    "Hello, this is %(company)s. What would you like to do?",
                    company=self.company.name,
                )
        options = [Option(option_id, title) for option_id, title in self._menu_titles()]
        return self._reply(text, options, "idle")

    def _handoff(self, reason):
        """Staff take over: the runner's helper (chatter, activity, pause) when there is
        one, its replies if it gives some, else ours."""
        self.data = {}
        self._save()
        handoff = getattr(self.session, "_assistant_handoff", None)
        result = handoff(reason) if handoff else None
        if isinstance(result, list) and result:
            return result
        self.session.state = "handoff"
        return [Reply(self._("A member of our staff will answer you here as soon as possible."))]

    def _on_name(self, text):
        name = " ".join(text.split())[:64]
        if len(name) < 2:
            return None
        self.data["name"] = name
        return self._next_booking_step()

    # ------------------------------------------------------------------
    # starting an intent
    # ------------------------------------------------------------------

    def _start(self, intent, text=""):
        fails = self.data.get("fails", 0)
        self.data = {"intent": intent}
        if fails:
            self.data["fails"] = fails
        if intent == "human":
            return self._handoff("asked")
        if intent == "list":
            return self._list()
        if intent in ("cancel", "reschedule"):
            return self._ask_appointment(intent)
        # Book: what the first message already says (service, day, time) is kept.
        service = self._service_in_text(text) if text else None
        if service:
            self.data["service_id"] = service.id
        when = self._parse(text, service) if text else None
        if when and when.day:
            self.data["day"] = when.day.isoformat()
        if when and when.time:
            self.data["time"] = when.time.strftime("%H:%M")
        if when and when.part:
            self.data["part"] = when.part
        return self._next_booking_step()

    def _next_booking_step(self):
        """Ask what is missing for a booking, or check the slot when nothing is."""
        if not self.session.partner_id and not self.data.get("name"):
            return self._reply(
                self._(
                    "Welcome to %(company)s! What is your name?",
                    company=self.company.name,
                ),
                state="name",
            )
        if not self.data.get("service_id"):
            services = self._services()
            if not services:
                return self._no_times()
            if len(services) > 1:
                return self._ask_service()
            self.data["service_id"] = services.id
        service = self._service()
        if service.assignment == "customer" and "staff_id" not in self.data:
            if len(service.staff_ids) > 1:
                return self._ask_staff()
            self.data["staff_id"] = service.staff_ids[:1].id or None
        if self.data.get("day") and self.data.get("time"):
            day = date.fromisoformat(self.data["day"])
            clock = time.fromisoformat(self.data.pop("time"))
            return self._check(self._utc(day, clock))
        if self.data.get("day"):
            return self._ask_time(date.fromisoformat(self.data["day"]))
        return self._ask_day()

    # ------------------------------------------------------------------
    # choices
    # ------------------------------------------------------------------

    def _on_choice(self, choice):
        kind, _sep, value = choice.partition(":")
        intent = self.data.get("intent")
        if kind == "intent" and value in ("book", "list", "reschedule", "cancel", "human"):
            return self._start(value)
        if kind == "svc" and value.isdigit():
            service = self._services().filtered(lambda s: s.id == int(value))
            if not service:
                return None
            self.data.update(intent="book", service_id=service.id)
            return self._next_booking_step()
        if kind == "staff" and self.data.get("service_id"):
            service = self._service()
            if value == "any":
                self.data["staff_id"] = None
            elif value.isdigit() and int(value) in service.staff_ids.ids:
                self.data["staff_id"] = int(value)
            else:
                return None
            return self._next_booking_step()
        if kind == "day" and intent in ("book", "reschedule") and self._service():
            if value == "more":
                # From the day list: the days after it; from a time list: all days again.
                after = self._last_offered_day()
                return self._ask_day(after + timedelta(days=1) if after else None)
            try:
                day = date.fromisoformat(value)
            except ValueError:
                return None
            return self._day_chosen(day)
        if kind == "slot" and intent in ("book", "reschedule") and self._service():
            try:
                start = datetime.fromisoformat(value)
            except ValueError:
                return None
            self.data["start"] = fields.Datetime.to_string(start)
            return self._ask_confirm()
        if kind == "appt" and value.isdigit() and intent in ("cancel", "reschedule"):
            event = self._events().filtered(lambda e: e.id == int(value))
            if not event:
                return None
            return self._on_appointment(event)
        if kind in ("yes", "no") and self.session.state == "confirm":
            return self._confirm() if kind == "yes" else self._declined()
        return None

    def _last_offered_day(self):
        days = [o[4:] for o in self.data.get("options") or [] if o[4:8].isdigit()]
        return date.fromisoformat(days[-1]) if days else None

    # ------------------------------------------------------------------
    # free text: service names, days and times
    # ------------------------------------------------------------------

    def _service_in_text(self, text):
        norm = _norm(text)
        for service in self._services():
            names = {_norm(service.name), _norm(service.with_context(lang="en_US").name)}
            if any(name and name in norm for name in names):
                return service
        return None

    def _today(self, service=None):
        return self._local(self.now, service).date()

    def _is_open(self, service):
        calendars = service.opening_calendar_id or service.staff_ids.calendar_id

        def is_open(hour):
            if not calendars:
                return 8 <= hour < 20
            return any(a.hour_from <= hour < a.hour_to for a in calendars.attendance_ids)

        return is_open

    def _parse(self, text, service=None):
        service = service or self._service() or self._services()[:1]
        is_open = self._is_open(service) if service else None
        return parse_when(text, self.lang, self._today(service or None), is_open)

    def _on_when(self, text):
        """A day, a time or both typed while booking or moving (any question of it)."""
        when = self._parse(text)
        if not (when.day or when.time or when.part or when.question):
            return None
        if when.day:
            self.data["day"] = when.day.isoformat()
        elif when.time and not self.data.get("day") and self.data.get("start"):
            # "15:00 instead" at the echo: the same day.
            start = fields.Datetime.to_datetime(self.data["start"])
            self.data["day"] = self._local(start).date().isoformat()
        if when.part:
            self.data["part"] = when.part
        if when.time:
            self.data["time"] = when.time.strftime("%H:%M")
        if when.question and self._service():
            return self._ask_back(when)
        if self.data.get("intent") != "reschedule":
            return self._next_booking_step()
        if self.data.get("day"):
            return self._day_chosen(date.fromisoformat(self.data["day"]))
        return self._ask_day()

    def _day_chosen(self, day):
        """The day is known: check the time asked for with it, else offer times."""
        self.data["day"] = day.isoformat()
        if self.data.get("intent") != "reschedule":
            return self._next_booking_step()
        if self.data.get("time"):
            return self._check(self._utc(day, time.fromisoformat(self.data.pop("time"))))
        return self._ask_time(day)

    def _ask_back(self, when):
        """The phrase could mean two things: ask, never guess."""
        question, options = when.question, getattr(when, "options", ()) or ()
        if question == "day":
            days = [d for d in options if isinstance(d, date) and d >= self._today()]
            if days:
                choices = [
                    Option(f"day:{d.isoformat()}", self._fmt_day(d, short=True)) for d in days
                ]
                return self._reply(self._("Which day do you mean?"), choices[:MAX_ITEMS], "day")
            return self._ask_day()
        if question == "ampm":
            times = [t for t in options if isinstance(t, time)]
            if len(times) == 2:
                first, second = (
                    babel_dates.format_time(t, "short", locale=self.locale) for t in times
                )
                text = self._("Do you mean %(first)s or %(second)s?", first=first, second=second)
            else:
                text = self._(
                    "In the morning or in the afternoon? Please write the time, e.g. 15:00."
                )
            return self._reply(text, state="time")
        if self.data.get("day"):
            return self._ask_time(date.fromisoformat(self.data["day"]))
        return self._reply(self._("At what time? For example 14:30."), state="time")

    # ------------------------------------------------------------------
    # booking questions
    # ------------------------------------------------------------------

    def _ask_service(self):
        options = [
            Option(f"svc:{service.id}", (service.name or "")[:24])
            for service in self._services()[:10]
        ]
        return self._reply(self._("Which service would you like?"), options, "service")

    def _ask_staff(self):
        service = self._service()
        options = [Option(f"staff:{m.id}", m.name[:24]) for m in service.staff_ids[:9]]
        options.append(Option("staff:any", self._("Anyone")))
        return self._reply(
            self._("Who would you like for %(service)s?", service=service.name),
            options,
            "staff",
        )

    def _free(self, start, limit, end=None):
        """Free slots in [start, end) (naive UTC; ``end`` defaults to the service's
        horizon), earliest first: the service's for a booking, the appointment's
        (same staff, itself ignored) for a move."""
        if self.data.get("intent") == "reschedule":
            slots = self._event()._notify_manage_slots(start, limit=limit)
            return [slot for slot in slots if not end or slot.start < end]
        service = self._service()
        return service._find_slots(
            start,
            end or start + timedelta(days=service.max_days_ahead),
            staff=self._staff(),
            limit=limit,
        )

    def _free_days(self, first_day, n):
        """The next ``n`` local days from ``first_day`` with a free slot.

        Two weeks at a time: the availability of the whole horizon (60 days by
        default) costs a turn several times more and is rarely needed."""
        service = self._service()
        tz = self._tz(service)
        days = []
        last_day = self._today() + timedelta(days=service.max_days_ahead)
        cursor_day = first_day
        while cursor_day <= last_day and len(days) <= n:
            window_end = cursor_day + timedelta(days=DAYS_PER_SEARCH)
            slots = self._free(
                self._utc(cursor_day, time.min), 0, end=self._utc(window_end, time.min)
            )
            for slot in slots:
                day = pytz.utc.localize(slot.start).astimezone(tz).date()
                if day not in days:
                    days.append(day)
            cursor_day = window_end
        return days

    def _ask_day(self, first_day=None):
        first_day = max(first_day or self._today(), self._today())
        days = self._free_days(first_day, MAX_ITEMS)
        if not days:
            return self._no_times()
        options = [
            Option(f"day:{day.isoformat()}", self._fmt_day(day, short=True))
            for day in days[:MAX_ITEMS]
        ]
        if len(days) > MAX_ITEMS:
            options.append(Option("day:more", self._("Later days")))
        self.data.pop("day", None)
        return self._reply(self._("Which day suits you?"), options, "day")

    def _day_slots(self, day):
        service = self._service()
        tz = self._tz(service)
        slots = [
            slot
            for slot in self._free(
                self._utc(day, time.min), 0, end=self._utc(day + timedelta(days=1), time.min)
            )
            if pytz.utc.localize(slot.start).astimezone(tz).date() == day
        ]
        part = self.data.get("part")
        if part:
            ranges = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}
            low, high = ranges.get(part, (0, 24))
            slots = [
                s for s in slots if low <= pytz.utc.localize(s.start).astimezone(tz).hour < high
            ] or slots
        if len(slots) > MAX_ITEMS:
            # Spread over the day rather than the first nine quarters of an hour.
            step = (len(slots) - 1) / (MAX_ITEMS - 1)
            slots = [slots[round(i * step)] for i in range(MAX_ITEMS)]
        return slots

    def _slot_option(self, start, short_day=False):
        title = self._fmt_when(start, short=True) if short_day else self._fmt_time(start)
        return Option(f"slot:{start.isoformat()}", title)

    def _ask_time(self, day):
        self.data["day"] = day.isoformat()
        slots = self._day_slots(day)
        self.data.pop("part", None)
        if not slots:
            text = self._("There is no free time on %(day)s.", day=self._fmt_day(day))
            return [Reply(text)] + self._ask_day(day + timedelta(days=1))
        options = [self._slot_option(slot.start) for slot in slots]
        options.append(Option("day:more", self._("Another day")))
        text = self._("Which time on %(day)s?", day=self._fmt_day(day))
        return self._reply(text, options, "time")

    def _no_times(self):
        text = self._(
            "Sorry, there are no free times in the coming days. Please contact "
            "%(company)s at %(contact)s.",
            company=self.company.name,
            contact=self.company._notify_whatsapp_contact(),
        )
        self.data = {}
        return self._reply(text, state="idle")

    def _check(self, start):
        """A day and time the customer asked for: free -> confirm, else the nearest."""
        service = self._service()
        if self.data.get("intent") == "reschedule":
            event = self._event()
            kwargs = {
                "staff": event.notify_staff_id or None,
                "duration": event.duration or None,
                "exclude_event": event,
            }
        else:
            kwargs = {"staff": self._staff()}
        try:
            service._check_slot(start, **kwargs)
        except BookingUnavailable as error:
            text = self._(
                "%(when)s is not free. The nearest free times:",
                when=self._fmt_when(start),
            )
            return self._alternatives(text, error.alternatives)
        self.data["start"] = fields.Datetime.to_string(start)
        return self._ask_confirm()

    def _alternatives(self, text, slots):
        self.data.pop("start", None)
        if not slots:
            return [Reply(text)] + self._no_times()
        options = [self._slot_option(slot.start, short_day=True) for slot in slots[:MAX_ITEMS]]
        options.append(Option("day:more", self._("Another day")))
        return self._reply(text, options, "time")

    def _ask_confirm(self):
        service = self._service()
        start = fields.Datetime.to_datetime(self.data.get("start"))
        when = start and self._fmt_when(start)
        if self.data.get("intent") == "reschedule":
            event = self._event()
            text = self._(
                "Move %(service)s from %(old)s to %(new)s?",
                service=service.name,
                old=self._fmt_when(event.start),
                new=when,
            )
        elif self.data.get("intent") == "cancel":
            text = self._(
                "Cancel %(service)s on %(when)s?",
                service=service.name,
                when=self._fmt_when(self._event().start),
            )
        elif self._staff():
            text = self._(
                "%(when)s, %(service)s with %(staff)s?",
                when=when,
                service=service.name,
                staff=self._staff().name,
            )
        else:
            text = self._("%(when)s, %(service)s?", when=when, service=service.name)
        options = [Option("yes", self._("Yes")), Option("no", self._("No"))]
        return self._reply(text, options, "confirm")

    def _declined(self):
        return self._menu(self._("All right, nothing was changed. What would you like to do?"))

    # ------------------------------------------------------------------
    # doing it: the engine and the self-service link's methods
    # ------------------------------------------------------------------

    def _confirm(self):
        """The customer said yes: do what was echoed, if it is still theirs to do.

        The data may come from the language model too: the service must be one of
        this company's, the appointment one of the customer's own."""
        intent = self.data.get("intent")
        if intent in ("reschedule", "cancel") and self._event() not in self._events():
            self.data = {"intent": intent}
            return self._ask_appointment(intent)
        if intent in ("book", "reschedule") and not self.data.get("start"):
            return None
        if intent == "book":
            if self._service() not in self._services():
                return self._start("book")
            return self._book()
        if intent == "reschedule":
            return self._move()
        if intent == "cancel":
            return self._cancel()
        return None

    def _partner(self):
        partner = self.session.partner_id
        if not partner:
            partner = self.env["res.partner"]._notify_booking_find_or_create(
                self.data.get("name") or self.session.profile_name,
                self.session.phone,
                self.lang,
                self.company,
            )
            self.session.partner_id = partner
        return partner

    def _book(self):
        service = self._service()
        start = fields.Datetime.to_datetime(self.data["start"])
        values = {}
        if "notify_booked_via_whatsapp" in self.env["calendar.event"]._fields:
            values["notify_booked_via_whatsapp"] = True
        partner = self._partner()
        try:
            with self.env.cr.savepoint():
                event = service._book(partner, start, staff=self._staff(), event_values=values)
        except BookingUnavailable as error:
            text = self._(
                "Sorry, %(when)s was just taken. The nearest free times:",
                when=self._fmt_when(start),
            )
            return self._alternatives(text, error.alternatives)
        text = self._(
            "Booked: %(when)s, %(service)s. See you then!",
            when=self._fmt_when(event.start),
            service=service.name,
        )
        url = event._notify_manage_url(partner)
        if url:
            text += "\n" + self._("To move or cancel it: %(url)s", url=url)
        self.data = {}
        return self._reply(text, state="idle")

    def _move(self):
        event = self._event()
        partner = self.session.partner_id
        start = fields.Datetime.to_datetime(self.data["start"])
        try:
            done = event._notify_manage_reschedule(partner, start, origin="WhatsApp")
        except BookingUnavailable as error:
            text = self._(
                "Sorry, %(when)s was just taken. The nearest free times:",
                when=self._fmt_when(start),
            )
            return self._alternatives(text, error.alternatives[:3])
        if not done:
            return self._refused(event, "reschedule")
        text = self._(
            "Done: %(service)s is now on %(when)s.",
            service=event.notify_service_id.name,
            when=self._fmt_when(event.start),
        )
        self.data = {}
        return self._reply(text, state="idle")

    def _cancel(self):
        event = self._event()
        partner = self.session.partner_id
        when = self._fmt_when(event.start)
        if not event._notify_manage_cancel(partner, "", origin="WhatsApp"):
            return self._refused(event, "cancel")
        text = self._(
            "Your appointment on %(when)s is cancelled. Write to us whenever you want a new one.",
            when=when,
        )
        self.data = {}
        return self._reply(text, state="idle")

    def _refused(self, event, action):
        """Inside the policy window: the WhatsApp cancel refusal's contact text."""
        values = {
            "when": self._fmt_when(event.start),
            "deadline": self._fmt_when(event._notify_manage_deadline(action)),
            "company": self.company.name,
            "contact": self.company._notify_whatsapp_contact(),
        }
        if action == "cancel":
            text = self._(
                "Your appointment on %(when)s can no longer be cancelled here: cancelling "
                "was possible until %(deadline)s. Please contact %(company)s at %(contact)s.",
                **values,
            )
        else:
            text = self._(
                "Your appointment on %(when)s can no longer be moved here: moving was "
                "possible until %(deadline)s. Please contact %(company)s at %(contact)s.",
                **values,
            )
        self.data = {}
        return self._reply(text, state="idle")

    # ------------------------------------------------------------------
    # my appointments, picking one
    # ------------------------------------------------------------------

    def _list(self):
        events = self._events()
        if not events:
            return self._menu(
                self._("You have no upcoming appointments. What would you like to do?")
            )
        lines = []
        for event in events[:10]:
            line = self._(
                "%(when)s, %(service)s",
                when=self._fmt_when(event.start, event.notify_service_id),
                service=event.notify_service_id.name,
            )
            if event._notify_manage_may("reschedule") and event._notify_manage_may("cancel"):
                line += " " + self._("(you can move or cancel it here)")
            elif event._notify_manage_may("reschedule"):
                line += " " + self._("(you can move it here)")
            elif event._notify_manage_may("cancel"):
                line += " " + self._("(you can cancel it here)")
            else:
                line += " " + self._("(changes by phone only)")
            lines.append(f"- {line}")
        text = self._("Your appointments:") + "\n" + "\n".join(lines)
        titles = dict(self._menu_titles())
        options = [
            Option(option_id, titles[option_id])
            for option_id in ("intent:reschedule", "intent:cancel", "intent:book")
        ]
        self.data = {"intent": "list"}
        return self._reply(text, options, "idle")

    def _ask_appointment(self, intent):
        events = self._events()
        if not events:
            return self._menu(
                self._("You have no upcoming appointments. What would you like to do?")
            )
        self.data["intent"] = intent
        if len(events) == 1:
            return self._on_appointment(events)
        options = [
            Option(
                f"appt:{event.id}",
                self._fmt_when(event.start, event.notify_service_id, short=True)[:24],
                (event.notify_service_id.name or "")[:72],
            )
            for event in events[:10]
        ]
        return self._reply(self._("Which appointment?"), options, "pick_appointment")

    def _on_appointment(self, event):
        intent = self.data.get("intent")
        self.data["event_id"] = event.id
        if not event._notify_manage_may(intent):
            return self._refused(event, intent)
        if intent == "cancel":
            return self._ask_confirm()
        first = self._today()
        days = self._free_days(first, MAX_ITEMS)
        if not days:
            url = event._notify_manage_url(self.session.partner_id)
            text = self._(
                "There is no free time to move %(service)s to in the coming days.",
                service=event.notify_service_id.name,
            )
            if url:
                text += "\n" + self._("You can also look here: %(url)s", url=url)
            self.data = {}
            return self._reply(text, state="idle")
        return self._ask_day()
