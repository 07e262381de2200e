"""The default repair templates reach customers in their own language."""

import re

from odoo.tests import freeze_time, tagged
from odoo.tools import html2plaintext

from odoo.addons.appointment_notify.tests.common import NOW, load_languages
from odoo.addons.appointment_notify.tests.test_i18n import LANGS, english_fragments

from .common import CASES, RepairNotifyCase


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify_repair")
class TestRepairI18n(RepairNotifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_languages(cls.env, "appointment_notify_repair", LANGS)

    def test_default_repair_templates_are_translated(self):
        rule = self.make_rule("booked")
        order = self.make_order()
        message = self.messages(order, rule_id=rule.id)
        for name in CASES:
            template = self.env.ref(f"appointment_notify_repair.mail_template_repair_{name}")
            source = template.with_context(lang="en_US")
            fragments = english_fragments(source.subject) | english_fragments(source.body_html)
            self.customer.lang = "en_US"
            english = message._render_template(template, {"subject": None, "body_html": None})[0]
            for code in LANGS:
                with self.subTest(lang=code, template=name):
                    self.customer.lang = code
                    rendered = message._render_template(
                        template, {"subject": None, "body_html": None}
                    )[0]
                    text = f"{rendered['subject']}\n{html2plaintext(rendered['body_html'])}"
                    self.assertNotEqual(rendered["subject"], english["subject"])
                    self.assertNotEqual(rendered["body_html"], english["body_html"])
                    for phrase in fragments:
                        self.assertNotRegex(
                            text, rf"(?<!\w){re.escape(phrase)}(?!\w)", f"English left: {phrase!r}"
                        )
                    self.assertIn(order.name, text, "the order reference is given")
                    self.assertNotRegex(text, r"(?i)reply\s+(cancel|stop)")
