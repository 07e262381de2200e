import json
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged

from odoo.addons.appointment_notify_booking.tests.common import NOW, BookingCase, local

from ..tools.assistant_llm import TOOLS, AssistantLlm, mentioned_times
from ..tools.llm_client import LlmClient, LlmError
from .openai_fake import FakeOpenAI, calls, delay, raw, say, status, tool_call

KEY = "sk-fake-key"
INSTRUCTIONS = "We are Salon Ayla. Always offer a coffee."


@tagged("post_install", "-at_install")
@freeze_time(NOW)  # Monday 2 March 2026, 09:00 in Amsterdam
class TestAssistantLlm(BookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": "Salon Ayla",
                "notify_assistant_enabled": True,
                "notify_assistant_instructions": INSTRUCTIONS,
                "notify_assistant_llm_enabled": True,
                "notify_assistant_llm_key": KEY,
                "notify_assistant_llm_model": "fake-model",
                "notify_assistant_llm_timeout": 5.0,
            }
        )
        # Only the test salon's service (not the demo data's).
        cls.Service.search([("id", "!=", cls.service.id)]).active = False
        cls.Session = cls.env["appointment.notify.assistant.session"]
        cls.session = cls.Session.create(
            {
                "company_id": cls.company.id,
                "partner_id": cls.customer.id,
                "phone": "+31612345678",
                "lang": "en_US",
            }
        )

    def setUp(self):
        super().setUp()
        self.llm = FakeOpenAI(key=KEY).start()
        self.addCleanup(self.llm.stop)
        self.company.notify_assistant_llm_url = self.llm.url

    def turn(self, text, *script, session=None):
        self.llm.script = list(script)
        return AssistantLlm(session or self.session).handle(text)

    def find(self, day="2026-03-03", **args):
        return tool_call("find_slots", {"service_id": self.service.id, "day": day, **args})

    def booked_events(self):
        return self.Event.search_count([("notify_service_id", "!=", False)])

    def tool_results(self, request_index):
        messages = self.llm.requests[request_index]["json"]["messages"]
        return [json.loads(m["content"]) for m in messages if m["role"] == "tool"]

    def assertFallback(self, replies, session=None):
        session = session or self.session
        self.assertIsNone(replies)
        self.assertEqual(session.state, "idle", "a fallback leaves the state as it was")
        self.assertFalse(session.llm_history, "a fallback leaves the history as it was")

    # ------------------------------------------------------------------
    # the tool loop
    # ------------------------------------------------------------------

    def test_tool_loop_proposes_booking_and_books_nothing(self):
        before = self.booked_events()
        replies = self.turn(
            "Can I get a haircut tomorrow at 10?",
            calls(self.find()),
            calls(
                tool_call(
                    "propose_booking", {"service_id": self.service.id, "start": "2026-03-03 10:00"}
                )
            ),
        )
        self.assertEqual(len(replies), 1)
        self.assertIn("Haircut", replies[0].text)
        self.assertIn("10:00", replies[0].text)
        self.assertEqual([o.id for o in replies[0].options], ["yes", "no"])
        self.assertEqual(self.session.state, "confirm")
        self.assertEqual(
            self.session.data,
            {
                "intent": "book",
                "service_id": self.service.id,
                "staff_id": None,
                "start": "2026-03-03 09:00:00",  # naive UTC
                "options": ["yes", "no"],
                "fails": 0,
            },
        )
        self.assertEqual(self.booked_events(), before, "the model never books")
        # What was sent: the key, the model, the tools, then the slots of find_slots.
        self.assertEqual(len(self.llm.requests), 2)
        first = self.llm.requests[0]
        self.assertEqual(first["path"], "/v1/chat/completions")
        self.assertEqual(first["headers"]["Authorization"], f"Bearer {KEY}")
        self.assertEqual(first["json"]["model"], "fake-model")
        self.assertEqual(
            {t["function"]["name"] for t in first["json"]["tools"]},
            {
                "find_slots",
                "list_my_appointments",
                "propose_booking",
                "propose_reschedule",
                "propose_cancel",
                "handoff",
            },
        )
        [slots] = self.tool_results(1)
        self.assertEqual(
            [s["start"] for s in slots["slots"]],
            [f"2026-03-03 {h:02d}:00" for h in range(9, 18)],
        )
        self.assertEqual(slots["slots"][1]["id"], "slot:2026-03-03T09:00:00")
        self.assertEqual(
            [m["role"] for m in self.session.llm_history], ["user", "assistant"], "history kept"
        )

    def test_answer_with_returned_times_and_server_deviations(self):
        """Object arguments and calls without ids (Ollama, llama.cpp) are understood."""
        find = tool_call(
            "find_slots",
            {"service_id": self.service.id, "day": "2026-03-03"},
            id=None,
            as_object=True,
        )
        replies = self.turn(
            "Any time tomorrow?",
            calls(find),
            say("Tomorrow I have 10:00, 11.00 or 3pm. Which one suits you?"),
        )
        self.assertEqual(
            replies[0].text, "Tomorrow I have 10:00, 11.00 or 3pm. Which one suits you?"
        )
        self.assertFalse(replies[0].options)
        self.assertEqual(self.session.state, "idle")
        messages = self.llm.requests[1]["json"]["messages"]
        echoed = messages[-2]["tool_calls"][0]
        self.assertEqual(json.loads(echoed["function"]["arguments"])["day"], "2026-03-03")
        self.assertEqual(messages[-1]["tool_call_id"], echoed["id"])
        # The next turn sends the short history back.
        self.turn("Thanks", say("You're welcome!"))
        roles = [m["role"] for m in self.llm.requests[2]["json"]["messages"]]
        self.assertEqual(roles, ["system", "user", "assistant", "user"])

    def test_find_slots_over_a_range_and_after_a_numbered_menu(self):
        self.session.data = {"options": ["svc:1", "svc:2"]}
        self.assertIsNone(self.turn("2", say("Hi")), "a bare number answers the flow's menu")
        self.assertFalse(self.llm.requests)
        week = tool_call(
            "find_slots", {"service_id": self.service.id, "from": "2026-03-03", "to": "2026-03-09"}
        )
        replies = self.turn("Any time next week?", calls(week), say("Which day suits you?"))
        self.assertEqual(replies[0].text, "Which day suits you?")
        self.assertEqual(self.session.data["options"], [], "the old menu is forgotten")
        [found] = self.tool_results(1)
        # Six open days (Sunday closed) of nine slots: four of each day, spread over it.
        self.assertEqual(len(found["slots"]), 24)
        days = sorted({s["start"][:10] for s in found["slots"]})
        self.assertEqual(len(days), 6)
        self.assertNotIn("2026-03-08", days)
        self.assertEqual(
            [s["start"][11:] for s in found["slots"][:4]], ["09:00", "12:00", "14:00", "17:00"]
        )
        self.assertIn("More free times exist", found["note"])

    def test_prompt_tells_business_rules_and_language(self):
        self.session.lang = "nl_NL"
        self.turn("Hallo", say("Hallo! Waarmee kan ik helpen?"))
        prompt = self.llm.requests[0]["json"]["messages"][0]
        self.assertEqual(prompt["role"], "system")
        text = prompt["content"]
        self.assertIn(INSTRUCTIONS, text)
        self.assertIn("Salon Ayla", text)
        self.assertIn("Monday 2026-03-02", text)
        self.assertIn("Europe/Amsterdam", text)
        self.assertIn("Dutch", text)
        self.assertIn(f"{self.service.id}: Haircut, 60 min", text)
        self.assertIn("Only offer times that find_slots returned", text)
        self.assertIn("Never say an appointment is booked", text)
        self.assertEqual(self.llm.requests[0]["json"]["messages"][-1]["content"], "Hallo")

    # ------------------------------------------------------------------
    # fallbacks to the guided flow
    # ------------------------------------------------------------------

    def test_off_or_tapped_choice_asks_nothing(self):
        self.assertIsNone(AssistantLlm(self.session).handle("1", choice="yes"))
        self.company.notify_assistant_llm_enabled = False
        self.assertIsNone(self.turn("Hello", say("Hi")))
        self.company.notify_assistant_llm_enabled = True
        self.company.notify_assistant_llm_model = False
        self.assertIsNone(self.turn("Hello", say("Hi")))
        self.assertFalse(self.llm.requests)

    def test_bad_json_arguments(self):
        bad = tool_call("find_slots", '{"service_id": 1, "day": "2026-03-03"', as_object=True)
        self.assertFallback(self.turn("tomorrow?", calls(bad)))

    def test_timeout_falls_back_without_waiting(self):
        self.company.notify_assistant_llm_timeout = 0.5
        self.assertFallback(self.turn("Hello", delay(2.0, say("Too late"))))
        self.assertEqual(len(self.llm.requests), 1)
        self.assertEqual(self.llm.answered, 0, "handle() returned before the 2 s answer")

    def test_http_errors_and_bad_bodies(self):
        for step in (status(500), status(401), raw("<html>busy</html>"), raw('{"id": "x"}')):
            self.assertFallback(self.turn("Hello", step))
        self.assertEqual(len(self.llm.requests), 4)
        self.company.notify_assistant_llm_key = "sk-wrong"
        self.assertFallback(self.turn("Hello", say("Hi")))  # the fake answers 401

    def test_invented_time_in_final_text(self):
        self.assertFallback(
            self.turn("tomorrow?", calls(self.find()), say("I can offer 10:00 or 19:30."))
        )
        self.assertFallback(self.turn("tomorrow?", say("Sure, come at 3pm!")))
        # 10:00 was found for Tuesday 3 March only: not on another day it names.
        self.assertFallback(
            self.turn("wednesday?", calls(self.find()), say("On Wednesday I have 10:00."))
        )
        self.assertFallback(
            self.turn("mercoledì?", calls(self.find()), say("Ho le 10:00 il 4 marzo."))
        )
        replies = self.turn(
            "tuesday?", calls(self.find()), say("Tuesday 3 March: 10:00. Shall I book it?")
        )
        self.assertEqual(replies[0].text, "Tuesday 3 March: 10:00. Shall I book it?")

    def test_unknown_tool_and_too_many_rounds(self):
        self.assertFallback(self.turn("hi", calls(tool_call("book_now", {}))))
        self.llm.requests.clear()
        self.assertFallback(self.turn("hi", *[calls(self.find())] * 5))
        self.assertEqual(len(self.llm.requests), 4, "at most 4 model calls per turn")

    def test_propose_a_start_find_slots_did_not_return(self):
        before = self.booked_events()
        propose = tool_call(
            "propose_booking", {"service_id": self.service.id, "start": "2026-03-03 19:00"}
        )
        self.assertFallback(self.turn("19:00 tomorrow", calls(self.find()), calls(propose)))
        # Without any find_slots in this turn, even a free time is refused.
        propose = tool_call(
            "propose_booking", {"service_id": self.service.id, "start": "2026-03-03 10:00"}
        )
        self.assertFallback(self.turn("10:00 tomorrow", calls(propose)))
        self.assertEqual(self.booked_events(), before)

    # ------------------------------------------------------------------
    # the customer's own appointments
    # ------------------------------------------------------------------

    def test_other_customers_appointment_is_refused(self):
        other = self.service._book(self.customer2, local("2026-03-04 10:00"))
        mine = self.service._book(self.customer, local("2026-03-04 11:00"))
        replies = self.turn(
            "What have I booked?",
            calls(tool_call("list_my_appointments")),
            say("You have a Haircut on Wednesday at 11:00."),
        )
        self.assertEqual(replies[0].text, "You have a Haircut on Wednesday at 11:00.")
        [listed] = self.tool_results(1)
        self.assertEqual([a["id"] for a in listed["appointments"]], [mine.id])
        self.assertEqual(listed["appointments"][0]["start"], "2026-03-04 11:00")
        self.assertTrue(listed["appointments"][0]["may_cancel"])
        self.session.llm_history = False
        for call in (
            tool_call("propose_cancel", {"appointment_id": other.id}),
            tool_call("find_slots", {"service_id": self.service.id, "appointment_id": other.id}),
        ):
            self.assertFallback(self.turn("cancel it", calls(call)))
        self.assertNotEqual(other.booking_state, "cancelled")
        self.assertTrue(other.active)

    def test_propose_cancel_and_reschedule_own_appointment(self):
        event = self.service._book(self.customer, local("2026-03-04 11:00"))
        start = event.start
        replies = self.turn(
            "Cancel my haircut", calls(tool_call("propose_cancel", {"appointment_id": event.id}))
        )
        self.assertIn("Cancel your Haircut", replies[0].text)
        self.assertEqual(self.session.state, "confirm")
        self.assertEqual(self.session.data["intent"], "cancel")
        self.assertEqual(self.session.data["event_id"], event.id)
        self.assertTrue(event.active)
        self.assertNotEqual(event.booking_state, "cancelled")

        self.session.write({"state": "idle", "data": {}})
        find = tool_call(
            "find_slots",
            {"service_id": self.service.id, "day": "2026-03-05", "appointment_id": event.id},
        )
        move = tool_call(
            "propose_reschedule", {"appointment_id": event.id, "start": "slot:2026-03-05T13:00:00"}
        )
        replies = self.turn("Move it to Thursday 14:00", calls(find), calls(move))
        self.assertIn("Move your Haircut", replies[0].text)
        self.assertEqual(
            self.session.data,
            {
                "intent": "reschedule",
                "event_id": event.id,
                "service_id": self.service.id,
                "staff_id": event.notify_staff_id.id,
                "start": "2026-03-05 13:00:00",
                "options": ["yes", "no"],
                "fails": 0,
            },
        )
        self.assertEqual(event.start, start, "nothing moved before the customer's tap")

    def test_new_number_books_with_a_name(self):
        session = self.Session.create(
            {"company_id": self.company.id, "phone": "+31600000001", "lang": "en_US"}
        )
        propose = tool_call(
            "propose_booking",
            {"service_id": self.service.id, "start": "2026-03-03 10:00", "name": "Derya"},
        )
        replies = self.turn(
            "Haircut tomorrow 10:00, I am Derya",
            calls(tool_call("list_my_appointments"), self.find()),
            calls(propose),
            session=session,
        )
        self.assertEqual(session.state, "confirm")
        self.assertEqual(session.data["name"], "Derya")
        self.assertEqual(replies[0].options[0].id, "yes")
        [listed, _slots] = self.tool_results(1)
        self.assertEqual(listed["appointments"], [])

    def test_handoff(self):
        handoff = patch.object(
            type(self.session), "_assistant_handoff", create=True, return_value=None
        )
        with handoff as called:
            replies = self.turn("I want to talk to a person", calls(tool_call("handoff")))
        called.assert_called_once_with("asked")
        self.assertEqual(len(replies), 1)

    # ------------------------------------------------------------------
    # settings and helpers
    # ------------------------------------------------------------------

    def test_key_is_for_system_users_only(self):
        admin = new_test_user(
            self.env,
            login="notify_admin_llm",
            groups="base.group_user,appointment_notify.group_notify_admin",
        )
        self.assertFalse(admin.has_group("base.group_system"))
        with self.assertRaises(AccessError):
            self.company.with_user(admin).read(["notify_assistant_llm_key"])
        # The client reads it with sudo, whoever runs the turn.
        client = LlmClient.from_company(self.company.with_user(admin))
        self.assertEqual(client.key, KEY)
        session = self.session.with_user(admin)
        self.assertEqual(self.turn("Hello", say("Hi!"), session=session)[0].text, "Hi!")

    def test_client_parses_compatible_answers(self):
        parsed = LlmClient.parse(
            {
                "choices": [
                    {
                        "message": {
                            "content": [{"type": "text", "text": "Hello "}],
                            "tool_calls": [
                                {"function": {"name": "handoff", "arguments": ""}},
                                {"function": {"name": "find_slots", "arguments": {"day": "x"}}},
                            ],
                        }
                    }
                ]
            }
        )
        self.assertEqual(parsed.content, "Hello")
        self.assertEqual([c.id for c in parsed.tool_calls], ["call_0", "call_1"])
        self.assertEqual(parsed.tool_calls[1].arguments, {"day": "x"})
        for body in ({}, {"choices": []}, {"choices": [{"message": {"tool_calls": [{}]}}]}):
            with self.assertRaises(LlmError):
                LlmClient.parse(body)

    def test_mentioned_times(self):
        def readings(text):
            return [sorted(r) for r in mentioned_times(text)]

        self.assertEqual(readings("at 14:00 or 9.30"), [["14:00"], ["09:30", "21:30"]])
        self.assertEqual(readings("3pm, 3:30 p.m. or 11 am"), [["15:00"], ["15:30"], ["11:00"]])
        self.assertEqual(
            readings("om 15 uur, saat 14, alle 10"), [["15:00"], ["14:00"], ["10:00", "22:00"]]
        )
        self.assertEqual(readings("on 03.03.2026 or 2026-03-03, 60 min, 2 people"), [])
        self.assertEqual(len(TOOLS), 6)
