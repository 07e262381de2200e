"""Golden transcripts of the guided conversation, in the five languages.

Each scenario drives ``AssistantFlow(session).handle()`` turn by turn and compares
the whole conversation, the customer's lines and the assistant's with their options,
to ``golden/<scenario>.<lang>.txt``. Taps are written ``[2: Title]`` (the second option
of the last reply). The self-service link, signed with the database secret, is
written ``<manage-url>``.

After a deliberate change of wording, rewrite the files with
``ASSISTANT_GOLDEN_UPDATE=1`` and read the diff before committing it.
"""

import os
import re
from datetime import date, time
from pathlib import Path
from unittest.mock import patch

from odoo import fields
from odoo.tests import freeze_time, tagged

from odoo.addons.appointment_notify.tests.common import load_languages
from odoo.addons.appointment_notify_booking.tests.common import NOW, BookingCase, local

from ..tools import assistant_flow
from ..tools.assistant_flow import AssistantFlow
from ..tools.when_parser import When

GOLDEN = Path(__file__).parent / "golden"
LANGS = ["en_US", "tr_TR", "nl_NL", "it_IT", "uk_UA"]
URL = re.compile(r"https?://\S+/appointment_notify/manage/\S+")

# What the customer types, per language.
WORDS = {
    "hello": {
        "en_US": "Hi",
        "tr_TR": "Merhaba",
        "nl_NL": "Hallo",
        "it_IT": "Buongiorno",
        "uk_UA": "Привіт",
    },
    "yes": {"en_US": "yes", "tr_TR": "Evet", "nl_NL": "Ja", "it_IT": "Sì", "uk_UA": "Так"},
    "list": {
        "en_US": "my appointments",
        "tr_TR": "Randevularım",
        "nl_NL": "Mijn afspraken",
        "it_IT": "I miei appuntamenti",
        "uk_UA": "Мої записи",
    },
    "cancel": {
        "en_US": "I need to cancel",
        "tr_TR": "Randevumu iptal etmek istiyorum",
        "nl_NL": "Ik wil mijn afspraak annuleren",
        "it_IT": "Devo disdire l'appuntamento",
        "uk_UA": "Хочу скасувати запис",
    },
    "human": {
        "en_US": "Can I talk to a person?",
        "tr_TR": "Bir temsilci ile görüşebilir miyim?",
        "nl_NL": "Kan ik een medewerker spreken?",
        "it_IT": "Posso parlare con un operatore?",
        "uk_UA": "Можна оператора?",
    },
    "name": {
        "en_US": "Emma Brown",
        "tr_TR": "Ayşe Yılmaz",
        "nl_NL": "Sanne de Vries",
        "it_IT": "Giulia Rossi",
        "uk_UA": "Олена Коваль",
    },
    "ask_slot": {
        "en_US": "Tomorrow 14:00, is that possible?",
        "tr_TR": "Yarın 14:00 uygun mu?",
        "nl_NL": "Kan het morgen om 14:00?",
        "it_IT": "Domani alle 14:00 va bene?",
        "uk_UA": "Завтра о 14:00 можна?",
    },
}


@freeze_time(NOW)
@tagged("post_install", "-at_install")
class TestAssistantFlow(BookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_languages(cls.env, "appointment_notify_whatsapp", LANGS[1:])
        load_languages(cls.env, "appointment_notify_whatsapp_assistant", LANGS[1:])
        cls.company.name = "Salon Aurora"
        cls.service.write({"cancel_min_hours": 24, "reschedule_min_hours": 24})
        cls.service.update_field_translations(
            "name",
            {"tr_TR": "Saç kesimi", "nl_NL": "Knippen", "it_IT": "Taglio", "uk_UA": "Стрижка"},
        )
        cls.colouring = cls.Service.create(
            {
                "name": "Colouring",
                "sequence": 5,
                "duration": 2.0,
                "slot_step": 1.0,
                "assignment": "customer",
                "staff_ids": [(6, 0, (cls.anna | cls.ben).ids)],
                "company_id": cls.company.id,
            }
        )
        cls.colouring.update_field_translations(
            "name",
            {"tr_TR": "Boya", "nl_NL": "Kleuren", "it_IT": "Colore", "uk_UA": "Фарбування"},
        )
        # Demo services of other addons are not this salon's.
        (cls.Service.search([]) - cls.service - cls.colouring).active = False
        cls.Session = cls.env["appointment.notify.assistant.session"].sudo()

    # ------------------------------------------------------------------
    # driving a conversation
    # ------------------------------------------------------------------

    def phone(self, lang):
        return f"+316123450{LANGS.index(lang)}{self.Session.search_count([])}"

    def customer_in(self, lang):
        return self.env["res.partner"].create(
            {"name": f"Deniz Kaya {lang[:2]}", "phone": self.phone(lang), "lang": lang}
        )

    def session_for(self, lang, partner=None, phone=None):
        return self.Session.create(
            {
                "company_id": self.company.id,
                "phone": partner.phone if partner else phone,
                "partner_id": partner.id if partner else False,
                "lang": lang,
            }
        )

    def talk(self, session, turns):
        """Run ``turns`` (text, or an int: tap that option of the last reply) and
        return the transcript."""
        lines, shown = [], []
        for turn in turns:
            if isinstance(turn, int):
                self.assertLessEqual(turn, len(shown), "\n".join(lines))
                option = shown[turn - 1]
                lines.append(f"> [{turn}: {option.title}]")
                replies = AssistantFlow(session).handle("", option.id)
            else:
                lines.append(f"> {turn}")
                replies = AssistantFlow(session).handle(turn, None)
            self.assertTrue(replies, f"no reply to {turn!r}")
            for reply in replies:
                lines.append(f"< {reply.text}".replace("\n", "\n  "))
                for number, option in enumerate(reply.options, 1):
                    self.assertLessEqual(len(option.title), 24, option.title)
                    desc = f" ({option.description})" if option.description else ""
                    lines.append(f"    {number}. {option.title}{desc}")
            shown = replies[-1].options
            # The numbered fallback answers the options the customer saw last.
            self.assertEqual((session.data or {}).get("options", []), [o.id for o in shown])
        return URL.sub("<manage-url>", "\n".join(lines)) + "\n"

    def assert_golden(self, name, lang, transcript):
        path = GOLDEN / f"{name}.{lang[:2]}.txt"
        if os.environ.get("ASSISTANT_GOLDEN_UPDATE"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(transcript, encoding="utf-8")
        self.assertEqual(transcript, path.read_text(encoding="utf-8"), f"{name} in {lang}")

    def book(self, partner, when, service=None):
        return (service or self.service)._book(partner, local(when))

    # ------------------------------------------------------------------
    # the scenarios
    # ------------------------------------------------------------------

    # Each scenario runs once per language, in its own test (and transaction):
    # test_<scenario>_<lang>, made below the class.

    def scenario_book_at_once(self, lang):
        """Menu, service, staff (the customer chooses), day, time, echo, yes: booked."""
        partner = self.customer_in(lang)
        session = self.session_for(lang, partner)
        transcript = self.talk(session, [WORDS["hello"][lang], 1, 1, 1, 2, 6, WORDS["yes"][lang]])
        self.assert_golden("book_at_once", lang, transcript)
        event = self.Event.search([("partner_ids", "in", partner.ids)])
        self.assertEqual(event.start, local("2026-03-03 14:00"))
        self.assertEqual(event.notify_service_id, self.colouring)
        self.assertEqual(event.notify_staff_id, self.anna)
        if "notify_booked_via_whatsapp" in event._fields:
            self.assertTrue(event.notify_booked_via_whatsapp)
        self.assertEqual(session.state, "idle")
        self.assertFalse((session.data or {}).get("start"))

    def scenario_book_slot_taken(self, lang):
        """The chosen time is taken before the yes: the nearest free times instead."""
        partner = self.customer_in(lang)
        session = self.session_for(lang, partner)
        transcript = self.talk(session, [WORDS["hello"][lang], 1, 2, 2, 6])
        # Both stylists get busy at 14:00 while the customer hesitates.
        self.busy(self.anna, local("2026-03-03 14:00"))
        self.busy(self.ben, local("2026-03-03 14:00"))
        transcript += self.talk(session, [WORDS["yes"][lang], 3, WORDS["yes"][lang]])
        self.assert_golden("book_slot_taken", lang, transcript)
        event = self.Event.search([("partner_ids", "in", partner.ids)])
        self.assertEqual(event.start, local("2026-03-03 15:00"))

    def scenario_ask_slot_at_once(self, lang):
        """A day and a time in the first message: checked at once, busy -> nearest.

        The free-text parser is replaced by its contract here: this tests the flow."""
        self.colouring.active = False
        partner = self.customer_in(lang)
        session = self.session_for(lang, partner)
        self.busy(self.anna, local("2026-03-03 14:00"))
        self.busy(self.ben, local("2026-03-03 14:00"))

        def parse(text, lang_code, today, is_open=None):
            self.assertEqual(today, date(2026, 3, 2))
            self.assertTrue(is_open(15) and not is_open(3))
            if "14:00" in text:
                return When(day=date(2026, 3, 3), time=time(14, 0))
            return When()

        with patch.object(assistant_flow, "parse_when", parse):
            transcript = self.talk(session, [WORDS["ask_slot"][lang], 3])
        self.assert_golden("ask_slot_at_once", lang, transcript)
        self.assertEqual(session.state, "confirm")
        self.assertEqual(session.data["start"], "2026-03-03 14:00:00")

    def scenario_ask_slot_parsed(self, lang):
        """The same with the real parser: the same transcript."""
        self.colouring.active = False
        session = self.session_for(lang, self.customer_in(lang))
        self.busy(self.anna, local("2026-03-03 14:00"))
        self.busy(self.ben, local("2026-03-03 14:00"))
        transcript = self.talk(session, [WORDS["ask_slot"][lang], 3])
        self.assert_golden("ask_slot_at_once", lang, transcript)

    def scenario_reschedule(self, lang):
        """My appointments, reschedule the only one: day, time, echo, yes: moved."""
        partner = self.customer_in(lang)
        event = self.book(partner, "2026-03-04 10:00")
        session = self.session_for(lang, partner)
        transcript = self.talk(session, [WORDS["list"][lang], 1, 4, 2, 1])
        self.assert_golden("reschedule", lang, transcript)
        self.assertEqual(event.start, local("2026-03-05 10:00"))
        self.assertIn("WhatsApp", event.message_ids[:1].body)

    def scenario_cancel_allowed(self, lang):
        """Two appointments: which one, echo, yes: cancelled through the link's path."""
        partner = self.customer_in(lang)
        first = self.book(partner, "2026-03-04 10:00")
        second = self.book(partner, "2026-03-06 16:00")
        # Someone else's appointment is not offered.
        self.book(self.customer2, "2026-03-05 10:00")
        session = self.session_for(lang, partner)
        transcript = self.talk(session, [WORDS["cancel"][lang], 2, 1])
        self.assert_golden("cancel_allowed", lang, transcript)
        self.assertEqual(second.booking_state, "cancelled")
        self.assertNotEqual(first.booking_state, "cancelled")

    def scenario_cancel_refused(self, lang):
        """Inside the 24-hour window: the contact text with the deadline, nothing cancelled."""
        partner = self.customer_in(lang)
        event = self.book(partner, "2026-03-02 15:00")
        session = self.session_for(lang, partner)
        transcript = self.talk(session, [WORDS["cancel"][lang]])
        self.assert_golden("cancel_refused", lang, transcript)
        self.assertNotEqual(event.booking_state, "cancelled")
        self.assertEqual(session.state, "idle")

    def scenario_unknown_number(self, lang):
        """No customer yet: the name is asked once, the partner made when booking."""
        phone = self.phone(lang)
        session = self.session_for(lang, phone=phone)
        transcript = self.talk(
            session,
            [WORDS["hello"][lang], 1, WORDS["name"][lang], 2, 3, 1, WORDS["yes"][lang]],
        )
        self.assert_golden("unknown_number", lang, transcript)
        partner = session.partner_id
        self.assertEqual(partner.name, WORDS["name"][lang])
        self.assertEqual(partner.phone, phone)
        self.assertEqual(partner.lang, lang)
        event = self.Event.search([("partner_ids", "in", partner.ids)])
        self.assertEqual(event.start, local("2026-03-04 09:00"))

    def scenario_handoff_asked(self, lang):
        session = self.session_for(lang, self.customer_in(lang))
        transcript = self.talk(session, [WORDS["hello"][lang], 1, WORDS["human"][lang]])
        self.assert_golden("handoff_asked", lang, transcript)
        self.assertEqual(session.state, "handoff")

    def test_two_fails_hand_off(self):
        session = self.session_for("en_US", self.customer_in("en_US"))
        self.talk(session, ["Hi", 1, 2])
        self.assertEqual(session.state, "day")
        replies = AssistantFlow(session).handle("purple", None)
        self.assertIn("did not understand", replies[0].text)
        self.assertEqual(session.state, "day")
        replies = AssistantFlow(session).handle("banana", None)
        self.assertEqual(session.state, "handoff")
        self.assertIn("staff", replies[0].text)

    def parser(self, phrases):
        """parse_when replaced by its contract: ``phrases`` maps text to When."""

        def parse(text, lang, today, is_open=None):
            return phrases.get(text, When())

        return patch.object(assistant_flow, "parse_when", parse)

    def test_time_first_then_day(self):
        """A time alone is kept until the day is known, then checked at once."""
        session = self.session_for("en_US", self.customer_in("en_US"))
        with self.parser({"at 15:00": When(time=time(15, 0))}):
            transcript = self.talk(session, ["Hi", 1, 2, "at 15:00", 2])
        self.assertTrue(
            transcript.endswith(
                "> at 15:00\n< Which day suits you?\n"
                + "".join(
                    f"    {n}. {d}\n"
                    for n, d in enumerate(
                        ["Mon 2 Mar", "Tue 3 Mar", "Wed 4 Mar", "Thu 5 Mar", "Fri 6 Mar"]
                        + ["Sat 7 Mar", "Mon 9 Mar", "Tue 10 Mar", "Wed 11 Mar", "Later days"],
                        1,
                    )
                )
                + "> [2: Tue 3 Mar]\n< Tuesday 3 March 3:00 PM, Haircut?\n    1. Yes\n    2. No\n"
            ),
            transcript,
        )
        self.assertEqual(session.data["start"], "2026-03-03 14:00:00")

    def test_ambiguous_time_is_asked_back(self):
        session = self.session_for("en_US", self.customer_in("en_US"))
        with self.parser({"at 3": When(day=date(2026, 3, 3), question="ampm")}):
            self.talk(session, ["Hi", 1, 2])
            replies = AssistantFlow(session).handle("at 3", None)
        self.assertEqual(
            replies[0].text,
            "In the morning or in the afternoon? Please write the time, e.g. 15:00.",
        )
        self.assertEqual(session.state, "time")
        self.assertFalse(session.data.get("start"), "never guessed")
        with self.parser({"15:00": When(time=time(15, 0))}):
            replies = AssistantFlow(session).handle("15:00", None)
        self.assertEqual(replies[0].text, "Tuesday 3 March 3:00 PM, Haircut?")

    def test_two_readings_offered(self):
        """The parser's candidates become the choices: two days, or two times."""
        session = self.session_for("en_US", self.customer_in("en_US"))
        self.talk(session, ["Hi", 1, 2])
        fridays = (date(2026, 3, 6), date(2026, 3, 13))
        with self.parser(
            {
                "next friday": When(question="day", options=fridays),
                "at 8": When(question="ampm", options=(time(8, 0), time(20, 0))),
            }
        ):
            transcript = self.talk(session, ["next friday", 2, "at 8"])
        self.assertEqual(
            transcript,
            "> next friday\n< Which day do you mean?\n    1. Fri 6 Mar\n    2. Fri 13 Mar\n"
            "> [2: Fri 13 Mar]\n< Which time on Friday 13 March?\n"
            + "".join(
                f"    {n}. {h}\n"
                for n, h in enumerate(
                    ["9:00 AM", "10:00 AM", "11:00 AM", "12:00 PM", "1:00 PM", "2:00 PM"]
                    + ["3:00 PM", "4:00 PM", "5:00 PM", "Another day"],
                    1,
                )
            )
            + "> at 8\n< Do you mean 8:00 AM or 8:00 PM?\n",
        )
        self.assertEqual(session.state, "time")

    def test_other_time_at_the_echo(self):
        """'16:00 then' at the yes/no question: the same day at 16:00, asked again."""
        session = self.session_for("en_US", self.customer_in("en_US"))
        self.talk(session, ["Hi", 1, 2, 2, 6])
        self.assertEqual(session.state, "confirm")
        with self.parser({"16:00 then": When(time=time(16, 0))}):
            replies = AssistantFlow(session).handle("16:00 then", None)
        self.assertEqual(replies[0].text, "Tuesday 3 March 4:00 PM, Haircut?")
        self.assertEqual(session.data["start"], "2026-03-03 15:00:00")

    def test_no_at_the_echo_books_nothing(self):
        partner = self.customer_in("en_US")
        session = self.session_for("en_US", partner)
        transcript = self.talk(session, ["Hi", 1, 2, 2, 6, "no"])
        self.assertIn("< All right, nothing was changed. What would you like to do?", transcript)
        self.assertFalse(self.Event.search([("partner_ids", "in", partner.ids)]))
        self.assertEqual(session.state, "idle")
        self.assertEqual(session.data["options"][0], "intent:book")

    def test_later_days(self):
        session = self.session_for("en_US", self.customer_in("en_US"))
        self.talk(session, ["Hi", 1, 2])
        replies = AssistantFlow(session).handle("10", None)
        self.assertEqual(replies[0].options[0].title, "Thu 12 Mar")
        self.assertEqual(session.data["options"][0], "day:2026-03-12")

    def test_reschedule_refused_inside_window(self):
        partner = self.customer_in("en_US")
        event = self.book(partner, "2026-03-02 15:00")
        session = self.session_for("en_US", partner)
        replies = AssistantFlow(session).handle("Can I move my appointment?", None)
        self.assertEqual(
            replies[0].text,
            "Your appointment on Monday 2 March 3:00 PM can no longer be moved here: moving "
            "was possible until Sunday 1 March 3:00 PM. Please contact Salon Aurora at "
            "+31 20 555 0100 or desk@salon.example.com.",
        )
        self.assertEqual(event.start, local("2026-03-02 15:00"))

    def test_two_unknown_turns_at_idle_hand_off(self):
        session = self.session_for("en_US", self.customer_in("en_US"))
        replies = AssistantFlow(session).handle("qwerty", None)
        self.assertEqual(replies[0].options[0].id, "intent:book", "first: the menu")
        self.assertEqual(session.state, "idle")
        AssistantFlow(session).handle("asdf", None)
        self.assertEqual(session.state, "handoff")

    def test_unknown_number_has_no_appointments(self):
        self.book(self.customer2, "2026-03-05 10:00")
        session = self.session_for("en_US", phone="+31612340000")
        replies = AssistantFlow(session).handle("my appointments", None)
        self.assertEqual(
            replies[0].text, "You have no upcoming appointments. What would you like to do?"
        )
        self.assertFalse(session.partner_id)

    def test_yes_only_does_what_is_the_customers(self):
        """State set elsewhere (the language model): someone else's appointment is not
        cancelled, another company's service not booked."""
        partner = self.customer_in("en_US")
        theirs = self.book(self.customer2, "2026-03-05 10:00")
        session = self.session_for("en_US", partner)
        session.write({"state": "confirm", "data": {"intent": "cancel", "event_id": theirs.id}})
        replies = AssistantFlow(session).handle("yes", None)
        self.assertNotEqual(theirs.booking_state, "cancelled")
        self.assertIn("no upcoming appointments", replies[0].text)
        other = self.Service.create(
            {
                "name": "Elsewhere",
                "company_id": self.other_company().id,
                "staff_ids": [(6, 0, self.anna.ids)],
            }
        )
        session.write(
            {
                "state": "confirm",
                "data": {
                    "intent": "book",
                    "service_id": other.id,
                    "start": "2026-03-03 09:00:00",
                },
            }
        )
        replies = AssistantFlow(session).handle("yes", None)
        self.assertFalse(self.Event.search([("partner_ids", "in", partner.ids)]))
        self.assertEqual(session.state, "service")

    def test_numbered_and_typed_titles(self):
        """'2' is the second option; a title typed as shown is that option."""
        session = self.session_for("en_US", self.customer_in("en_US"))
        AssistantFlow(session).handle("Hi", None)
        AssistantFlow(session).handle("Book", None)
        self.assertEqual(session.state, "service")
        AssistantFlow(session).handle("colouring", None)
        self.assertEqual(session.state, "staff")
        AssistantFlow(session).handle("2", None)
        self.assertEqual(session.data["staff_id"], self.ben.id)
        self.assertEqual(session.state, "day")
        # Another company's service is not offered nor accepted.
        other = self.Service.create({"name": "Other", "company_id": self.other_company().id})
        self.assertIsNone(AssistantFlow(session)._on_choice(f"svc:{other.id}"))

    def test_day_and_time_titles_typed(self):
        """Without the parser: a day or a time typed as the option shows it."""
        session = self.session_for("nl_NL", self.customer_in("nl_NL"))
        with self.parser({}):
            self.talk(session, ["Hallo", 1, "Knippen", "di 3 mrt.", "14:00"])
        self.assertEqual(session.state, "confirm")
        self.assertEqual(session.data["start"], "2026-03-03 13:00:00")

    def test_other_customers_events_not_offered(self):
        """Neither another customer's appointments nor this customer's in another
        company, nor a plain calendar event they attend."""
        mine = self.customer_in("en_US")
        self.book(self.customer2, "2026-03-05 10:00")
        elsewhere = self.Service.create(
            {
                "name": "Elsewhere",
                "company_id": self.other_company().id,
                "staff_ids": [(6, 0, self.anna.ids)],
            }
        )
        self.book(mine, "2026-03-06 10:00", service=elsewhere)
        self.Event.create(
            {
                "name": "Coffee",
                "start": local("2026-03-04 10:00"),
                "stop": local("2026-03-04 11:00"),
                "partner_ids": [(6, 0, mine.ids)],
            }
        )
        session = self.session_for("en_US", mine)
        replies = AssistantFlow(session).handle("cancel", None)
        self.assertIn("no upcoming appointments", replies[0].text)
        self.assertEqual(session.state, "idle")

    # ------------------------------------------------------------------

    def other_company(self):
        return self.env["res.company"].create({"name": "Other salon"})

    def test_dates_in_service_zone(self):
        """Times are shown in the business's zone, not UTC."""
        session = self.session_for("tr_TR", self.customer_in("tr_TR"))
        flow = AssistantFlow(session)
        flow.data["service_id"] = self.service.id
        self.assertEqual(flow._fmt_when(local("2026-03-05 14:00")), "5 Mart Perşembe 14:00")
        self.assertEqual(
            fields.Datetime.to_string(local("2026-03-05 14:00")), "2026-03-05 13:00:00"
        )


def _add_scenarios(cls):
    for name in [n for n in dir(cls) if n.startswith("scenario_")]:
        for lang in LANGS:

            def test(self, name=name, lang=lang):
                getattr(self, name)(lang)

            test.__name__ = f"test_{name.removeprefix('scenario_')}_{lang[:2]}"
            setattr(cls, test.__name__, test)


_add_scenarios(TestAssistantFlow)
