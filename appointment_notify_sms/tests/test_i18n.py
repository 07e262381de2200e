"""The default SMS templates reach customers in their own language.

Each of the nine texts is rendered as the dispatcher renders it
(``_render_template``) in every shipped language: it must differ from the
English text, keep none of its sentences, and give the appointment time.
"""

import re

from odoo.tests import freeze_time, tagged

from odoo.addons.appointment_notify.tests.common import NOW, load_languages
from odoo.addons.appointment_notify.tests.test_i18n import LANGS, TRIGGERS, english_fragments

from .common import SmsCase


@freeze_time(NOW)
@tagged("post_install", "-at_install", "appointment_notify_sms")
class TestSmsI18n(SmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_languages(cls.env, "appointment_notify_sms", LANGS)

    def test_default_sms_templates_are_translated(self):
        rule = self.make_sms_rule("confirmed")
        event = self.make_event(partners=self.customer)
        message = self.messages(event, rule_id=rule.id)
        for trigger in TRIGGERS:
            template = self.env.ref(f"appointment_notify_sms.sms_template_event_{trigger}")
            self.customer.lang = "en_US"
            english = message._render_template(template, {"body": None})[0]["body"]
            fragments = english_fragments(template.with_context(lang="en_US").body)
            for code in LANGS:
                with self.subTest(lang=code, trigger=trigger):
                    self.customer.lang = code
                    rendered, ctx = message._render_template(template, {"body": None})
                    text = rendered["body"]
                    self.assertTrue(text.strip())
                    self.assertNotEqual(text, english, "the text is translated")
                    for phrase in fragments:
                        self.assertNotRegex(
                            text, rf"(?<!\w){re.escape(phrase)}(?!\w)", f"English left: {phrase!r}"
                        )
                    self.assertNotRegex(text, r"(?i)reply\s+(cancel|stop)")
                    if trigger != "followup":
                        self.assertIn(ctx["when"], text, "the appointment time is given")
