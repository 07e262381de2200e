"""The default e-mail templates reach customers in their own language.

For each shipped translation the nine default templates are rendered exactly
as the dispatcher renders them (``AppointmentNotifyMessage._render_email``):
no English sentence may be left, and the appointment time must be there.
"""

import re
from datetime import timedelta

from odoo import fields
from odoo.tests import freeze_time, tagged
from odoo.tools import html2plaintext

from .common import NOW, NotifyCase, load_languages

LANGS = ("tr_TR", "nl_NL", "it_IT", "uk_UA")
TRIGGERS = (
    "booked",
    "awaiting",
    "confirmed",
    "rejected",
    "cancelled",
    "rescheduled",
    "status_changed",
    "reminder",
    "followup",
)
# Phrases of the English templates that must never reach a translated e-mail.
ENGLISH_MARKERS = (
    "Hello",
    "Your appointment",
    "your appointment",
    "Your booking",
    "your booking",
    "is confirmed",
    "is cancelled",
    "To change or cancel it",
    "Where:",
    "Reminder",
    "thank you",
    "How was your visit",
    "awaits confirmation",
    "could not be accepted",
    "has a new time",
    "was updated",
    "We received",
    "we received",
    "simply answer",
)
T_OUT = re.compile(r"<(\w+)[^>]*\bt-out=\"[^\"]*\"[^>]*>.*?</\1>", re.DOTALL)
TAG_OR_EXPR = re.compile(r"<[^>]*>|\{\{.*?\}\}|\x00")


def english_fragments(source):
    """Human text of an English template source, without its dynamic parts.

    ``t-out`` elements and ``{{ }}`` expressions are dropped (they render the
    customer's name, the company, the time...); what remains between them is
    the sentence text a translation must replace. Only fragments with a word of
    four letters or more are kept, so 'at', 'or' and punctuation do not count.
    """
    text = T_OUT.sub("\x00", source)
    fragments = (f.strip(" ,.:;!?\n") for f in TAG_OR_EXPR.split(text))
    return {f for f in fragments if re.search(r"[A-Za-z]{4,}", f)}


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify")
class TestI18n(NotifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_languages(cls.env, "appointment_notify", LANGS)
        cls.tomorrow = fields.Datetime.now() + timedelta(days=1)

    def _customer(self, code):
        return self.env["res.partner"].create(
            {
                "name": f"Deniz Kaya {code}",
                "email": f"deniz.{code.lower()}@example.com",
                "tz": "Europe/Amsterdam",
                "lang": code,
                "notify_consent_email": True,
            }
        )

    def _render(self, template, event, partner, lang):
        """What ``AppointmentNotifyMessage._render_email`` does."""
        ctx = event._notify_render_context(partner)
        template = template.with_context(lang=lang, tz=ctx["customer_tz"])
        subject = template._render_field("subject", event.ids, set_lang=lang, add_context=ctx)[
            event.id
        ]
        body = template._render_field(
            "body_html",
            event.ids,
            set_lang=lang,
            add_context=ctx,
            options={"post_process": True},
        )[event.id]
        return ctx, str(subject), str(body)

    def _assert_no_english(self, text, fragments, what):
        for phrase in set(ENGLISH_MARKERS) | fragments:
            self.assertNotRegex(
                text,
                rf"(?i)(?<!\w){re.escape(phrase)}(?!\w)",
                f"English left in the {what}: {phrase!r}",
            )

    def test_default_templates_are_translated(self):
        for code in LANGS:
            customer = self._customer(code)
            event = self.make_event(
                start=self.tomorrow, partners=customer, location="Atatürk Cd. 12"
            )
            for trigger in TRIGGERS:
                with self.subTest(lang=code, trigger=trigger):
                    template = self.env.ref(f"appointment_notify.mail_template_event_{trigger}")
                    source = template.with_context(lang="en_US")
                    ctx, subject, body = self._render(template, event, customer, code)
                    _en_ctx, en_subject, en_body = self._render(template, event, customer, "en_US")
                    self.assertTrue(subject.strip(), "a subject is rendered")
                    self.assertTrue(html2plaintext(body).strip(), "a body is rendered")
                    self.assertNotEqual(subject, en_subject, "the subject is translated")
                    self.assertNotEqual(body, en_body, "the body is translated")
                    self._assert_no_english(subject, english_fragments(source.subject), "subject")
                    self._assert_no_english(
                        html2plaintext(body), english_fragments(source.body_html), "body"
                    )
                    self.assertNotRegex(body, r"(?i)reply\s+(cancel|stop)")
                    if trigger != "followup":
                        self.assertTrue(ctx["when"])
                        self.assertIn(ctx["when"], body, "the appointment time is given")
                        self.assertIn("+31 20 555 0100", body, "how to reach the business")
                    if trigger == "status_changed":
                        self.assertTrue(ctx["status"])
                        self.assertIn(ctx["status"], body, "the status in the customer's words")
                        self.assertNotIn("Confirmed", body, "the status label is translated too")
                    if trigger not in ("followup", "rejected", "cancelled"):
                        self.assertIn("Atatürk Cd. 12", body, "where the appointment is")

    def test_dispatcher_sends_translated_email(self):
        """End to end: a rule's e-mail goes out in the customer's language."""
        self.make_rule("confirmed")
        for code in LANGS:
            with self.subTest(lang=code):
                customer = self._customer(code)
                event = self.make_event(start=self.tomorrow, partners=customer)
                self.dispatch()
                msg = self.messages(event, partner_id=customer.id)
                self.assertEqual(msg.state, "sent", msg.reason)
                template = self.env.ref("appointment_notify.mail_template_event_confirmed")
                expected = self._render(template, event, customer, code)[1]
                self.assertEqual(msg.subject, expected)
                self._assert_no_english(msg.subject, set(), "subject")
                self._assert_no_english(html2plaintext(msg.body), set(), "body")
                when = event._notify_render_context(customer)["when"]
                self.assertIn(when, msg.body)
