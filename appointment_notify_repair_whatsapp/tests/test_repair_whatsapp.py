"""The default repair WhatsApp templates: complete, rendered, chosen, sent."""

import json
import re

from odoo.tests import Form, tagged

from odoo.addons.appointment_notify.tests.common import load_languages
from odoo.addons.appointment_notify.tests.test_i18n import LANGS, english_fragments
from odoo.addons.appointment_notify_sms.tests.common import NL_MOBILE
from odoo.addons.appointment_notify_whatsapp.models.appointment_notify_whatsapp_template import (
    PLACEHOLDER_RE,
)
from odoo.addons.appointment_notify_whatsapp.tests.common import content_sid

from .common import CASES, LANG_CODES, RepairWhatsappCase

# Cases whose text links to the order's status page (manage_url).
LINKED = ("created", "status_changed", "confirmed", "under_repair", "done", "rescheduled")
LINKED += ("reminder",)
ENGLISH_MARKERS = ("Hello", "repair order", "Questions", "ready for pickup", "thank you")


@tagged("post_install", "-at_install", "appointment_notify_repair_whatsapp")
class TestRepairWhatsapp(RepairWhatsappCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(["repair"], list(LANGS), overwrite=True)

    def test_every_language_has_every_case(self):
        templates = self.Template.search([("res_model", "=", "repair.order")])
        self.assertEqual(len(templates), len(CASES) * len(LANG_CODES))
        for case, (trigger, status) in CASES.items():
            for suffix, code in LANG_CODES.items():
                with self.subTest(case=case, lang=code):
                    template = self.wa_template(case, suffix)
                    self.assertEqual(template.lang_code, code)
                    self.assertEqual(template.res_model, "repair.order")
                    self.assertEqual(template.trigger, trigger)
                    self.assertEqual(template.status_value, status)
                    category = "marketing" if case == "followup" else "utility"
                    self.assertEqual(template.category, category)
                    self.assertTrue(all(template.variable_ids.mapped("sample")))
                    used = {int(n) for n in PLACEHOLDER_RE.findall(template.body)}
                    self.assertEqual(used, set(template.variable_ids.mapped("number")))
                    self.assertNotRegex(template.body, r"^\s*{{|}}\s*$", "Meta's rule")
                    definition = json.loads(template.content_json)
                    self.assertEqual(definition["language"], code.split("_")[0])
                    self.assertEqual(set(definition["variables"]), {str(n) for n in sorted(used)})

    def test_templates_render_in_every_language(self):
        order = self.make_order()
        order.action_validate()
        message = self.Message
        for case in CASES:
            english = self.wa_template(case)
            fragments = english_fragments(english.body)
            self.assertTrue(fragments)
            for suffix, code in LANG_CODES.items():
                with self.subTest(case=case, lang=code):
                    template = self.wa_template(case, suffix)
                    self.customer.lang = code
                    record = order.with_context(lang=code)
                    ctx = template._eval_context(record, self.customer, message)
                    values, text = template._render_variables(ctx)
                    # The link's variable is a dash without appointment_notify_repair_links.
                    link = {
                        str(v.number) for v in template.variable_ids if v.expression == "manage_url"
                    }
                    if case in LINKED:
                        self.assertEqual(len(link), 1, "the status page link")
                    if ctx["manage_url"] and case in LINKED:
                        self.assertIn(ctx["manage_url"], text)
                    resolved = [v for n, v in values.items() if n not in link or ctx["manage_url"]]
                    self.assertNotIn("-", resolved, f"every variable resolves: {values}")
                    self.assertNotRegex(text, r"{{\s*\d+\s*}}")
                    self.assertIn(f"{order.name} (Smartphone X12)", text)
                    self.assertIn("Ayla Customer", text)
                    if case == "done":
                        self.assertIn("Damrak 1, 1012 LG Amsterdam", text, "where to pick up")
                        self.assertIn("+31 20 555 0100", text)
                    if case == "status_changed":
                        self.assertIn(ctx["status"], text)
                    if case in ("confirmed", "rescheduled", "reminder"):
                        self.assertIn(ctx["when"], text)
                    if suffix == "en":
                        if case == "done":
                            self.assertIn("is ready for pickup at", text)
                        continue
                    self.assertNotRegex(text, r"(?i)reply\s+(cancel|stop)")
                    for phrase in fragments | set(ENGLISH_MARKERS):
                        self.assertNotRegex(
                            text,
                            rf"(?i)(?<!\w){re.escape(phrase)}(?!\w)",
                            f"English left: {phrase!r}",
                        )
                    if case == "status_changed":
                        self.assertNotEqual(ctx["status"], "Confirmed", "status in words")

    def test_rule_proposes_templates_of_its_status(self):
        """'Status changed to Repaired' proposes the ready-for-pickup templates."""
        form = Form(self.Rule)
        form.name = "Ready for pickup (WhatsApp)"
        form.res_model = "repair.order"
        form.trigger = "status_set"
        form.status_value = "done"
        form.channel = "whatsapp"
        self.assertEqual(
            {t.id for t in form.whatsapp_template_ids}, set(self.wa_templates("done").ids)
        )
        form.status_value = "under_repair"
        self.assertEqual(
            {t.id for t in form.whatsapp_template_ids}, set(self.wa_templates("under_repair").ids)
        )
        form.status_value = "confirmed"  # nothing written for it: the generic ones
        self.assertEqual(
            {t.id for t in form.whatsapp_template_ids}, set(self.wa_templates("status_changed").ids)
        )
        form.trigger = "reminder"
        self.assertEqual(
            {t.id for t in form.whatsapp_template_ids}, set(self.wa_templates("reminder").ids)
        )
        rule = form.save()
        self.assertEqual(rule.whatsapp_template_ids, self.wa_templates("reminder"))

    def test_done_sends_template_in_customer_language(self):
        """End to end: Repaired -> the Turkish ready-for-pickup template, with its ContentSid."""
        load_languages(self.env, "appointment_notify_whatsapp", ["tr_TR"])
        self.Rule.create(
            {
                "name": "Ready for pickup (WhatsApp)",
                "res_model": "repair.order",
                "trigger": "status_set",
                "status_value": "done",
                "channel": "whatsapp",
                "whatsapp_template_ids": [(6, 0, self.wa_templates("done").ids)],
                "company_id": self.company.id,
            }
        )
        self.customer.lang = "tr_TR"
        order = self.make_order()
        self.finish(order)
        self.dispatch()
        message = self.messages(order, channel="whatsapp")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.state, "sent", message.reason)
        (sent,) = self.wa_sent()
        template = self.wa_template("done", "tr")
        self.assertEqual(message.whatsapp_template_id, template)
        self.assertEqual(sent["To"], f"whatsapp:{NL_MOBILE}")
        self.assertEqual(sent["ContentSid"], content_sid(template))
        self.assertNotIn("Body", sent)
        self.assertEqual(message.provider_ref, sent["sid"])
        self.assertEqual(
            self.variables(sent),
            {
                "1": "Ayla Customer",
                "2": f"{order.name} (Smartphone X12)",
                "3": f"{self.company.name}, Damrak 1, 1012 LG Amsterdam",
                "4": "+31 20 555 0100",
                "5": order._notify_render_context(self.customer)["manage_url"] or "-",
            },
        )
        self.assertIn("teslim alabilirsiniz", message.body)
        self.assertIn(order.name, message.body)
