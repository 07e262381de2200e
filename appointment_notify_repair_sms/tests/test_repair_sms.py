"""The default repair SMS texts: rendered as the dispatcher renders them, sent."""

import re

from odoo.tests import freeze_time, tagged

from odoo.addons.appointment_notify.tests.common import NOW, load_languages
from odoo.addons.appointment_notify.tests.test_i18n import LANGS, english_fragments
from odoo.addons.appointment_notify_repair.tests.common import CASES
from odoo.addons.appointment_notify_sms.tests.common import NL_MOBILE, NL_MOBILE2
from odoo.addons.appointment_notify_sms.tools.sms_encoding import sms_segments

from .common import RepairSmsCase
from .test_manage_link import LINKED

# Words of the English texts that no translation keeps.
ENGLISH_MARKERS = ("repair order", "Questions", "ready for pickup", "reminder", "thank you")


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify_repair_sms")
class TestRepairSms(RepairSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_languages(cls.env, "appointment_notify_repair_sms", LANGS)
        # The status in words comes from repair's own translations.
        cls.env["ir.module.module"]._load_module_terms(["repair"], list(LANGS), overwrite=True)

    def _render(self, message, template, lang):
        self.customer.lang = lang
        rendered, ctx = message._render_template(template, {"body": None})
        return rendered["body"], ctx

    def test_templates_render_in_every_language(self):
        rule = self.make_repair_sms_rule("booked", "created")
        order = self.make_order()
        order.action_validate()
        message = self.messages(order, rule_id=rule.id)
        self.assertEqual(len(message), 1)
        for case in CASES:
            template = self.sms_template(case)
            self.assertEqual(template.model, "repair.order")
            english, ctx = self._render(message, template, "en_US")
            with self.subTest(lang="en_US", case=case):
                self.assertIn(f"{order.name} (Smartphone X12)", english)
                self.assertIn(self.company.name, english)
                # The text fits one SMS; the status page link (a long signed token,
                # appointment_notify_repair_links) costs two more where it is given.
                link = f" Follow your repair: {ctx['manage_url']}" if ctx["manage_url"] else ""
                if link and case in LINKED:
                    self.assertTrue(english.endswith(link), english)
                text = english.removesuffix(link) if link else english
                encoding, units, segments = sms_segments(text)
                self.assertEqual(encoding, "gsm7", english)
                self.assertEqual(segments, 1, f"one SMS in English ({units}): {english!r}")
                self.assertNotRegex(english, r"(?i)reply\s+(cancel|stop)|\bstop\b")
                if case == "done":
                    self.assertIn("ready for pickup at Damrak 1, 1012 LG Amsterdam", english)
                    self.assertIn("+31 20 555 0100", english)
                if case == "status_changed":
                    self.assertIn("is now Confirmed", english)
                if case in ("confirmed", "rescheduled", "reminder"):
                    self.assertIn(ctx["when"], english)
            source = template.with_context(lang="en_US").body
            fragments = english_fragments(source)
            self.assertTrue(fragments)
            for code in LANGS:
                with self.subTest(lang=code, case=case):
                    text, ctx = self._render(message, template, code)
                    self.assertTrue(text.strip())
                    self.assertNotEqual(text, english, "the text is translated")
                    for phrase in fragments | set(ENGLISH_MARKERS):
                        self.assertNotRegex(
                            text,
                            rf"(?i)(?<!\w){re.escape(phrase)}(?!\w)",
                            f"English left: {phrase!r}",
                        )
                    self.assertIn(order.name, text, "the order reference is given")
                    self.assertIn("Smartphone X12", text, "the product is given")
                    self.assertNotRegex(text, r"(?i)reply\s+(cancel|stop)")
                    if case == "done":
                        self.assertIn("Damrak 1, 1012 LG Amsterdam", text, "where to pick up")
                        self.assertIn("+31 20 555 0100", text)
                    if case == "status_changed":
                        self.assertTrue(ctx["status"])
                        self.assertNotEqual(ctx["status"], "Confirmed", "status in words")
                        self.assertIn(ctx["status"], text)
                    if case in ("confirmed", "rescheduled", "reminder"):
                        self.assertIn(ctx["when"], text, "the date is given")

    def test_order_without_product(self):
        """No product: the reference alone, no empty brackets."""
        rule = self.make_repair_sms_rule("booked", "created")
        order = self.make_order(product_id=False)
        message = self.messages(order, rule_id=rule.id)
        text, _ctx = self._render(message, self.sms_template("done"), "en_US")
        self.assertIn(f"your repair order {order.name} is ready for pickup", text)
        self.assertNotIn("()", text)


@tagged("post_install", "-at_install", "appointment_notify_repair_sms")
class TestRepairSmsSend(RepairSmsCase):
    def test_done_sends_ready_for_pickup(self):
        """End to end: Repaired -> the rule's SMS reaches Twilio in the customer's words."""
        load_languages(self.env, "appointment_notify_repair_sms", ["nl_NL"])
        self.make_repair_sms_rule("status_set", "done", status_value="done")
        self.customer2.lang = "nl_NL"
        english = self.make_order()
        dutch = self.make_order(partner=self.customer2)
        for order in english | dutch:
            self.finish(order)
        self.dispatch()
        sent = {m["To"]: m for m in self.tw.messages}
        self.assertEqual(set(sent), {NL_MOBILE, NL_MOBILE2})
        for order, number in ((english, NL_MOBILE), (dutch, NL_MOBILE2)):
            message = self.messages(order, channel="sms")
            self.assertEqual(len(message), 1)
            self.assertEqual(message.state, "sent", message.reason)
            self.assertEqual(message.provider_ref, sent[number]["sid"])
            self.assertEqual(sent[number]["Body"], message.body)
            self.assertIn(order.name, message.body)
        url = english._notify_render_context(self.customer).get("manage_url")
        self.assertEqual(
            sent[NL_MOBILE]["Body"],
            f"{self.company.name}: your repair order {english.name} (Smartphone X12) is "
            "ready for pickup at Damrak 1, 1012 LG Amsterdam. Phone: +31 20 555 0100."
            + (f" Follow your repair: {url}" if url else ""),
        )
        self.assertNotIn("ready for pickup", sent[NL_MOBILE2]["Body"])
        self.assertIn("Damrak 1, 1012 LG Amsterdam", sent[NL_MOBILE2]["Body"])
