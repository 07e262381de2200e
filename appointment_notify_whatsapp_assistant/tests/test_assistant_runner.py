import uuid
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.appointment_notify_sms.tests.common import NL_MOBILE, TR_MOBILE

from .common import AssistantCase

UNKNOWN_TR = "+905329876543"


@tagged("post_install", "-at_install", "appointment_notify_whatsapp_assistant")
class TestAssistantWebhookAndRunner(AssistantCase, HttpCase):
    def test_same_sid_twice_one_inbound_one_reply_and_no_http_in_the_request(self):
        sid = "SM" + uuid.uuid4().hex
        first = self.inbound("Hello", sid=sid, ProfileName="Ayla")
        again = self.inbound("Hello", sid=sid, ProfileName="Ayla")
        self.assertEqual(first, again)
        self.assertEqual(self.Inbound.search_count([("message_sid", "=", sid)]), 1)
        self.assertEqual(first.kind, "assistant")
        session = first.session_id
        self.assertEqual(session.partner_id, self.customer)
        self.assertEqual(session.phone, NL_MOBILE)
        self.assertFalse(first.processed)
        # The webhook recorded and triggered: no provider call, no reply yet.
        self.assertEqual(self.tw.requests, 0)
        self.assertEqual(self.tw.contents, {})
        self.assertFalse(self.replies(session))
        for xmlid in ("ir_cron_assistant_run", "ir_cron_assistant_run_2"):
            cron = self.env.ref(f"appointment_notify_whatsapp_assistant.{xmlid}")
            self.assertTrue(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]))
        self.assertEqual(self.run_turns(), 1)
        self.assertEqual(self.flow.calls, [(session.id, "Hello", None)])
        self.assertTrue(first.processed)
        reply = self.replies(session)
        self.assertEqual(len(reply), 1)
        self.assertEqual(reply.whatsapp_reply, "assistant")
        self.assertEqual(reply.body, "Echo: Hello\n\n1. Haircut\n2. Colour")
        self.assertEqual([o["id"] for o in reply.whatsapp_options], ["svc:1", "svc:2"])
        self.assertEqual(session.data["options"], ["svc:1", "svc:2"])
        self.assertEqual(session.lang, self.customer.lang)
        self.assertTrue(session.expires_at <= session.last_inbound_at + timedelta(minutes=30))
        # Nothing left: a second run does nothing.
        self.assertEqual(self.run_turns(), 0)
        self.assertEqual(len(self.flow.calls), 1)
        self.assertNotIn("auto", self.Message.search([]).mapped("whatsapp_reply"))

    def test_two_messages_100ms_apart_are_one_turn(self):
        first = self.inbound("Yarın")
        second = self.inbound("14:00")
        self.assertEqual(first.session_id, second.session_id)
        # In a test every row shares the transaction's NOW(): date them like two
        # requests 100 ms apart, the newest 100 ms ago.
        self.env.cr.execute(
            """UPDATE appointment_notify_whatsapp_inbound
                  SET create_date = (clock_timestamp() AT TIME ZONE 'UTC')
                                    - CASE WHEN id = %s THEN interval '200 ms'
                                           ELSE interval '100 ms' END
                WHERE id IN %s""",
            [first.id, (first.id, second.id)],
        )
        self.env.invalidate_all()
        Session = self.Session
        session, wait = Session._runner_claim(1.5)
        self.assertFalse(session, "not ready: the newest message is 100 ms old")
        self.assertGreater(wait, 1.0)
        self.assertLessEqual(wait, 1.5)
        # The run waits for the debounce and answers both at once.
        self.assertEqual(Session._cron_run(debounce=0.3), 1)
        self.assertEqual(self.flow.calls, [(first.session_id.id, "Yarın\n14:00", None)])
        self.assertEqual(len(self.replies(first.session_id)), 1)
        self.assertTrue(first.processed and second.processed)

    def test_taps_go_to_the_assistant_last_choice_wins(self):
        self.inbound("Haircut", ButtonPayload="svc:7", ButtonText="Haircut")
        picked = self.inbound("Tuesday", ListId="day:2026-03-03", ListTitle="Tuesday")
        self.assertEqual(picked.kind, "assistant")
        self.assertEqual(picked.assistant_choice, "day:2026-03-03")
        self.run_turns()
        self.assertEqual(self.flow.calls, [(picked.session_id.id, "", "day:2026-03-03")])

    def test_list_pick_titled_cancel_is_a_tap_not_stop(self):
        picked = self.inbound("Cancel", ListId="intent:cancel", ListTitle="Cancel")
        self.assertEqual(picked.kind, "assistant")
        self.assertTrue(self.customer.notify_consent_whatsapp)
        self.run_turns()
        self.assertEqual(self.flow.calls, [(picked.session_id.id, "", "intent:cancel")])

    def test_assistant_off_keeps_the_auto_reply(self):
        self.company.write({"notify_assistant_enabled": False, "notify_whatsapp_auto_reply": False})
        inbound = self.inbound("Hello")
        self.assertEqual(inbound.kind, "text")
        self.assertFalse(inbound.session_id)
        self.assertEqual(inbound.reply_id.whatsapp_reply, "auto")

    def test_unknown_number_gets_a_session_and_a_contact_in_its_language(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        inbound = self.inbound("Merhaba", from_=UNKNOWN_TR, ProfileName="Deniz")
        self.assertEqual(inbound.kind, "assistant")
        session = inbound.session_id
        self.assertTrue(session)
        self.assertFalse(session.partner_id)
        self.assertEqual(session.profile_name, "Deniz")
        self.assertEqual(session.lang, "tr_TR")
        self.run_turns()
        # Replies need a contact; the customer is not known yet (the flow asks the name).
        self.assertFalse(session.partner_id)
        contact = session.reply_partner_id
        self.assertEqual(contact.name, "Deniz")
        self.assertEqual(contact.phone, UNKNOWN_TR)
        self.assertEqual(contact.lang, "tr_TR")
        self.assertTrue(contact._notify_whatsapp_in_window())
        self.assertEqual(session.data["lang"], "tr_TR")
        reply = self.replies(session)
        self.assertEqual(reply.partner_id, contact)
        self.assertEqual(reply.destination, UNKNOWN_TR)
        # Its reply goes out as an interactive message, although there is no opt-in.
        self.dispatch()
        self.assertEqual(reply.state, "sent", reply.reason)
        # The next message comes from that contact's number: still not the customer;
        # once the flow has their name, the contact takes it.
        original = self.flow.handle

        def handle(flow, text, choice=None):
            flow.session.data = {**(flow.session.data or {}), "name": "Deniz Yılmaz"}
            return original(flow, text, choice)

        self.flow.handle = handle
        again = self.inbound("Deniz Yılmaz", from_=UNKNOWN_TR, ProfileName="Deniz")
        self.assertEqual(again.partner_id, contact)
        self.run_turns()
        self.assertFalse(session.partner_id)
        self.assertEqual(contact.name, "Deniz Yılmaz")
        self.assertEqual(len(self.replies(session)), 2)
        self.assertEqual(self.replies(session).partner_id, contact)

    def test_language_of_an_uninstalled_country_is_not_used(self):
        self.assertNotIn("it_IT", dict(self.env["res.lang"].get_installed()))
        inbound = self.inbound("Ciao", from_="+393331234567")
        self.run_turns()
        self.assertEqual(inbound.session_id.lang, self.company.partner_id.lang or "en_US")

    def test_stop_wins_and_start_resumes(self):
        self.inbound("Hi")
        self.run_turns()
        session = self.Session.search([("phone", "=", NL_MOBILE)])
        session.write({"state": "day", "data": {"intent": "book", "service_id": 1}})
        self.assertTrue(self.customer.notify_consent_whatsapp)
        stop = self.inbound("STOP")
        self.assertEqual(stop.kind, "opt_out")
        self.assertFalse(self.customer.notify_consent_whatsapp)
        later = self.inbound("I want a haircut")
        self.run_turns()
        self.assertEqual(len(self.flow.calls), 1, "silent after STOP")
        self.assertTrue(later.processed)
        self.assertEqual(session.state, "idle")
        self.assertNotIn("intent", session.data or {})
        self.assertTrue(session.opted_out)
        self.assertEqual(len(self.replies(session)), 1)
        self.inbound("START")
        self.assertTrue(self.customer.notify_consent_whatsapp)
        self.inbound("Hi again")
        self.run_turns()
        self.assertFalse(session.opted_out)
        self.assertEqual(self.flow.calls[-1], (session.id, "Hi again", None))

    def test_stop_from_an_unknown_number(self):
        self.inbound("STOP", from_=UNKNOWN_TR)
        self.inbound("Merhaba", from_=UNKNOWN_TR)
        self.run_turns()
        session = self.Session.search([("phone", "=", UNKNOWN_TR)])
        self.assertTrue(session.opted_out)
        self.assertFalse(self.flow.calls)
        self.assertFalse(self.replies(session))

    def test_template_confirm_tap_keeps_its_handling(self):
        self.company.notify_manual_confirmation = True
        rule = self.make_wa_rule("reminder", offset_amount=1, offset_unit="hours")
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        event = self.make_event(start=start)
        message = self.messages(event, rule_id=rule.id)
        message.next_attempt_at = fields.Datetime.now()
        self.dispatch()
        inbound = self.inbound(
            "Confirm", ButtonPayload=f"confirm:{message.id}", ButtonText="Confirm"
        )
        self.assertEqual(inbound.kind, "confirm")
        self.assertEqual(event.booking_state, "confirmed")
        self.run_turns()
        self.assertFalse(self.flow.calls)

    def test_handoff_pauses_and_resumes(self):
        admin = self.env.ref("base.user_admin")
        self.company.notify_assistant_handoff_user_id = admin
        tap = self.inbound("Talk to a person", ButtonPayload="intent:human")
        self.run_turns()
        session = tap.session_id
        self.assertEqual(session.state, "handoff")
        self.assertAlmostEqual(
            session.handoff_until,
            fields.Datetime.now() + timedelta(hours=4),
            delta=timedelta(minutes=1),
        )
        reply = self.replies(session)
        self.assertIn("staff will answer you here", reply.body)
        activity = self.customer.activity_ids
        self.assertEqual(activity.user_id, admin)
        notes = self.customer.message_ids.mapped("body")
        self.assertTrue(any("handed" in n and "Talk to a person" in n for n in notes), notes)
        # With staff: the customer's text goes to the chatter, the bot says nothing.
        self.inbound("Are you there?")
        self.run_turns()
        self.assertEqual(len(self.flow.calls), 1)
        self.assertEqual(len(self.replies(session)), 1)
        self.assertTrue(
            any("Are you there?" in b for b in self.customer.message_ids.mapped("body"))
        )
        # Staff answer from Odoo.
        wizard = (
            self.env["appointment.notify.assistant.reply"]
            .with_context(**session.action_reply()["context"])
            .create({"body": "Hello, this is Mia."})
        )
        wizard.action_send()
        staff = self.replies(session)[-1]
        self.assertEqual((staff.whatsapp_reply, staff.body), ("staff", "Hello, this is Mia."))
        self.assertIn("Hello, this is Mia.", session.transcript)
        self.dispatch()
        self.assertEqual(staff.state, "sent", staff.reason)
        self.assertIn("Hello, this is Mia.", [m.get("Body") for m in self.wa_sent()])
        # After handoff_until the assistant answers again.
        session.handoff_until = fields.Datetime.now() - timedelta(minutes=1)
        self.inbound("Book me")
        self.run_turns()
        self.assertEqual(self.flow.calls[-1], (session.id, "Book me", None))
        self.assertEqual(session.state, "idle")

    def test_release_to_assistant(self):
        self.inbound("Human", ButtonPayload="intent:human")
        self.run_turns()
        session = self.Session.search([("phone", "=", NL_MOBILE)])
        self.assertEqual(session.state, "handoff")
        session.action_release()
        self.assertEqual(session.state, "idle")
        self.assertFalse(session.handoff_until)
        self.inbound("Book")
        self.run_turns()
        self.assertEqual(self.flow.calls[-1][1], "Book")

    def test_expired_session_starts_over(self):
        self.inbound("Hi")
        self.run_turns()
        session = self.Session.search([("phone", "=", NL_MOBILE)])
        session.write(
            {
                "state": "time",
                "data": {"intent": "book", "service_id": 3},
                "expires_at": fields.Datetime.now() - timedelta(minutes=1),
            }
        )
        seen = []
        original = self.flow.handle

        def handle(flow, text, choice=None):
            seen.append((flow.session.state, dict(flow.session.data or {})))
            return original(flow, text, choice)

        self.flow.handle = handle
        self.inbound("Hi again")
        self.run_turns()
        self.assertEqual(seen[0][0], "idle")
        self.assertNotIn("intent", seen[0][1])

    def test_retention_forgets_expired_conversations_only(self):
        self.inbound("Hi")
        self.run_turns()
        session = self.Session.search([("phone", "=", NL_MOBILE)])
        past = fields.Datetime.now() - timedelta(minutes=1)
        collected = {"intent": "book", "service_id": 3, "name": "Ayla"}
        session.write({"state": "time", "data": collected, "llm_history": [{"role": "user"}]})
        self.assertEqual(self.Session._cron_forget(), 0)  # still running: kept
        session.expires_at = past
        session.handoff_until = fields.Datetime.now() + timedelta(hours=1)
        self.assertEqual(self.Session._cron_forget(), 0)  # with staff: kept
        session.handoff_until = past
        self.assertEqual(self.Session._cron_forget(), 1)
        self.assertEqual(session.state, "idle")
        self.assertNotIn("name", session.data or {})
        self.assertFalse(session.llm_history)
        self.assertTrue(self.Inbound.search_count([("session_id", "=", session.id)]))
        self.assertEqual(self.Session._cron_forget(), 0)

    def test_notification_user_answers_from_odoo(self):
        """A notification user (not an administrator) reads the conversation and replies."""
        user = new_test_user(
            self.env,
            login="assistant_desk",
            groups="base.group_user,appointment_notify.group_notify_user",
        )
        self.inbound("Can I talk to someone?")
        self.run_turns()
        session = self.Session.with_user(user).search([("phone", "=", NL_MOBILE)])
        self.assertIn("Can I talk to someone?", session.transcript)
        self.assertIn("Echo: Can I talk to someone?", session.transcript)
        action = session.action_reply()
        wizard = (
            self.env["appointment.notify.assistant.reply"]
            .with_user(user)
            .with_context(**action["context"])
            .create({"body": "Sure, Mia here."})
        )
        wizard.action_send()
        self.assertEqual(session.state, "handoff")
        self.assertEqual(self.replies(session)[-1].body, "Sure, Mia here.")
        session.action_release()
        self.assertEqual(session.state, "idle")
        self.assertEqual(self.customer.with_user(user).assistant_session_count, 1)

    def test_partner_smart_button(self):
        self.inbound("Hi")
        self.assertEqual(self.customer.assistant_session_count, 1)
        action = self.customer.action_open_assistant_sessions()
        self.assertEqual(self.Session.search(action["domain"]).partner_id, self.customer)

    @mute_logger(
        "odoo.addons.appointment_notify_whatsapp_assistant.models.appointment_notify_assistant_session"
    )
    def test_a_failing_turn_is_not_repeated(self):
        def broken(flow, text, choice=None):
            flow.session.data = {"intent": "book"}
            raise ValueError("a bug in the flow")

        self.flow.handle = broken
        inbound = self.inbound("Hi")
        session = inbound.session_id
        self.assertEqual(self.run_turns(), 1)
        self.assertTrue(inbound.processed)
        self.assertFalse(self.replies(session))
        self.assertNotIn("intent", session.data or {}, "the turn's writes were rolled back")
        self.assertEqual(self.run_turns(), 0)

    def test_language_by_country_code(self):
        from ..models.appointment_notify_assistant_session import lang_of_number

        self.assertEqual(lang_of_number(TR_MOBILE), "tr_TR")
        self.assertEqual(lang_of_number(NL_MOBILE), "nl_NL")
        self.assertEqual(lang_of_number("+393331234567"), "it_IT")
        self.assertEqual(lang_of_number("+380501234567"), "uk_UA")
        self.assertEqual(lang_of_number("+14155550100"), "en_US")


@tagged("post_install", "-at_install", "appointment_notify_whatsapp_assistant")
class TestAssistantWithTheFlow(AssistantCase, HttpCase):
    """The runner and the real guided flow: a number nobody knows."""

    fake_flow = False

    def test_unknown_number_is_asked_its_name(self):
        self.inbound("Hello", from_=UNKNOWN_TR, ProfileName="Deniz")
        self.run_turns()
        session = self.Session.search([("phone", "=", UNKNOWN_TR)])
        menu = self.replies(session)
        self.assertEqual(len(menu), 1)
        self.assertIn("intent:book", [o["id"] for o in menu.whatsapp_options])
        self.assertIn("1. ", menu.body)
        self.assertEqual(session.data["options"], [o["id"] for o in menu.whatsapp_options])
        self.inbound("Book", from_=UNKNOWN_TR, ButtonPayload="intent:book", ButtonText="Book")
        self.run_turns()
        self.assertEqual(session.state, "name", self.replies(session)[-1].body)
        self.inbound("Deniz Yılmaz", from_=UNKNOWN_TR)
        self.run_turns()
        self.assertEqual(session.reply_partner_id.name, "Deniz Yılmaz")
        self.assertEqual(session.data.get("name"), "Deniz Yılmaz")
        self.assertEqual(len(self.replies(session)), 3)
        self.dispatch()
        self.assertEqual(set(self.replies(session).mapped("state")), {"sent"})

    def test_asking_for_a_person_hands_over(self):
        self.inbound("Hi")
        self.run_turns()
        self.inbound("Talk to a person", ButtonPayload="intent:human")
        self.run_turns()
        session = self.Session.search([("phone", "=", NL_MOBILE)])
        self.assertEqual(session.state, "handoff")
        self.assertTrue(session.handoff_until)
        self.assertIn("staff will answer you here", self.replies(session)[-1].body)
        self.assertTrue(self.customer.activity_ids)
