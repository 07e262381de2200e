from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.appointment_notify_sms.tests.common import NL_MOBILE

from ..tools.assistant_flow import Option, Reply
from .common import AssistantCase

MESSAGE_LOG = "odoo.addons.appointment_notify_whatsapp_assistant.models.appointment_notify_message"


@tagged("post_install", "-at_install", "appointment_notify_whatsapp_assistant")
class TestAssistantSend(AssistantCase):
    def session(self):
        return self.Session.create(
            {"company_id": self.company.id, "phone": NL_MOBILE, "partner_id": self.customer.id}
        )

    def queue(self, options, text="Which service?"):
        self.open_window(self.customer)
        session = self.session()
        reply = Reply(text, [Option(f"svc:{n}", f"Service {n}", f"{n}0 min") for n in options])
        return session._assistant_send([reply], ref="SMtest")

    def test_quick_reply_for_up_to_three_options(self):
        message = self.queue([1, 2])
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertEqual(len(self.tw.contents), 1)
        ((sid, content),) = self.tw.contents.items()
        quick = content["types"]["twilio/quick-reply"]
        self.assertEqual(quick["body"], "Which service?")
        self.assertEqual([a["id"] for a in quick["actions"]], ["svc:1", "svc:2"])
        self.assertEqual(
            content["types"]["twilio/text"]["body"],
            "Which service?\n\n1. Service 1\n2. Service 2",
        )
        (sent,) = self.wa_sent()
        self.assertEqual(sent["ContentSid"], sid)
        self.assertNotIn("Body", sent)
        self.assertEqual(sent["content_types"], ["twilio/quick-reply", "twilio/text"])
        self.assertEqual(sent["To"], f"whatsapp:{NL_MOBILE}")

    def test_list_picker_for_more_options(self):
        long_title = "A very long service name that does not fit"
        self.open_window(self.customer)
        reply = Reply(
            "Pick a time",
            [Option(f"slot:2026-03-03T{h:02d}:00:00", f"{h}:00") for h in range(8, 20)]
            + [Option("day:more", long_title, "x" * 100)],
        )
        message = self.session()._assistant_send([reply], ref="SMlist")
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        (content,) = self.tw.contents.values()
        picker = content["types"]["twilio/list-picker"]
        self.assertEqual(len(picker["items"]), 10)
        self.assertEqual(picker["items"][0]["id"], "slot:2026-03-03T08:00:00")
        self.assertTrue(all(len(i["item"]) <= 24 for i in picker["items"]))
        self.assertTrue(all(len(i["description"]) <= 72 for i in picker["items"]))
        self.assertIn("13. " + long_title, content["types"]["twilio/text"]["body"])
        self.assertEqual(self.wa_sent()[0]["content_types"], ["twilio/list-picker", "twilio/text"])

    @mute_logger(MESSAGE_LOG)
    def test_content_failure_falls_back_to_the_numbered_text(self):
        self.tw.content_fail = True
        message = self.queue([1, 2])
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        (sent,) = self.wa_sent()
        self.assertNotIn("ContentSid", sent)
        self.assertEqual(sent["Body"], "Which service?\n\n1. Service 1\n2. Service 2")

    def test_plain_reply_without_options(self):
        message = self.queue([], text="See you!")
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertFalse(self.tw.contents)
        self.assertEqual(self.wa_sent()[0]["Body"], "See you!")

    def test_outside_the_window_never_sent_as_free_text(self):
        message = self.queue([1, 2])
        self.customer.notify_whatsapp_last_inbound = fields.Datetime.now() - timedelta(hours=25)
        self.dispatch()
        self.assertEqual(message.state, "failed")
        self.assertIn("24-hour window", message.reason)
        self.assertEqual(self.tw.requests, 0)
        self.assertFalse(self.tw.contents)

    # ------------------------------------------------------------------
    # consent of appointments booked in the chat
    # ------------------------------------------------------------------

    def test_booked_in_chat_gets_its_service_messages_without_opt_in(self):
        (self.customer | self.customer2).write({"notify_consent_whatsapp": False})
        (self.customer | self.customer2).write({"notify_consent_whatsapp_date": False})
        self.customer2.phone = "+31687654321"
        self.session()  # the customer wrote to the assistant
        _event, messages = self.book_wa(
            partners=self.customer | self.customer2, notify_booked_via_whatsapp=True
        )
        self.dispatch()
        mine = messages.filtered(lambda m: m.partner_id == self.customer)
        self.assertEqual(mine.state, "sent", mine.reason)
        # Another attendee, who never wrote: no WhatsApp without their opt-in.
        theirs = messages - mine
        self.assertEqual(theirs.state, "skipped")
        self.assertIn("No consent", theirs.reason)
        # An appointment not booked in the chat: no WhatsApp either.
        _other, other_message = self.book_wa()
        self.dispatch()
        self.assertEqual(other_message.state, "skipped")
        self.assertIn("No consent", other_message.reason)

    def test_booked_in_chat_but_stop_sent(self):
        # STOP turned consent off (with its date): nothing more on WhatsApp.
        self.session()
        self.customer.with_context(notify_consent_source="WhatsApp reply STOP").write(
            {"notify_consent_whatsapp": False}
        )
        _event, message = self.book_wa(notify_booked_via_whatsapp=True)
        self.dispatch()
        self.assertEqual(message.state, "skipped")

    def test_booked_in_chat_non_service_rule_needs_consent(self):
        self.session()
        self.customer.write({"notify_consent_whatsapp": False})
        self.customer.write({"notify_consent_whatsapp_date": False})
        _event, message = self.book_wa(
            notify_booked_via_whatsapp=True, rule_values={"non_service": True}
        )
        self.dispatch()
        self.assertEqual(message.state, "skipped")
