from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import TransactionCase, new_test_user
from odoo.tests.common import ChromeBrowser

# A Monday morning, UTC: tests freeze time here unless they say otherwise.
NOW = "2026-03-02 08:00:00"
SCREENSHOT_MARK = "an_screenshot:"


def load_languages(env, module, langs):
    """Activate ``langs`` and load ``module``'s translations into them."""
    for code in langs:
        assert env["res.lang"]._activate_lang(code), f"language {code} is missing"
    env["ir.module.module"]._load_module_terms([module], list(langs), overwrite=True)


class ScreenshotTourMixin:
    """For HttpCase: a tour step logging 'an_screenshot:<name>' saves a screenshot.

    They land in Odoo's --screenshots folder (``./dev test`` uses screenshots/)
    and illustrate the addons' pages (static/description).
    """

    def start_tour(self, url_path, tour_name, **kwargs):
        """Save a screenshot whenever the tour logs an 'an_screenshot:<name>' mark."""
        original = ChromeBrowser._handle_console

        def handle_console(browser, type, args=None, **kw):
            for arg in args or []:
                value = str(arg.get("value", ""))
                if value.startswith(SCREENSHOT_MARK):
                    name = value[len(SCREENSHOT_MARK) :]
                    browser.take_screenshot(prefix=f"{name}_")
            return original(browser, type, args=args, **kw)

        with patch.object(ChromeBrowser, "_handle_console", handle_console):
            return super().start_tour(url_path, tour_name, **kwargs)


class NotifyCase(TransactionCase):
    """Rules, customers and events, with the demo rules out of the way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, mail_notrack=True))
        cls.Rule = cls.env["appointment.notify.rule"]
        cls.Message = cls.env["appointment.notify.message"]
        cls.Event = cls.env["calendar.event"]
        cls.Rule.search([]).active = False
        cls.company = cls.env.company
        cls.company.write(
            {
                "notify_test_mode": False,
                "notify_manual_confirmation": False,
                "notify_email_consent_relaxed": False,
                "email": "desk@salon.example.com",
                "phone": "+31 20 555 0100",
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Ayla Customer",
                "email": "ayla@example.com",
                "tz": "Europe/Amsterdam",
                "notify_consent_email": True,
            }
        )
        cls.customer2 = cls.env["res.partner"].create(
            {"name": "Bram Customer", "email": "bram@example.com", "notify_consent_email": True}
        )
        cls.staff = new_test_user(
            cls.env,
            login="notify_staff",
            groups="base.group_user",
            name="Stylist Staff",
            email="staff@salon.example.com",
        )

    def make_rule(self, trigger, template=None, **values):
        if not template:
            template = "appointment_notify.mail_template_event_" + (
                "status_changed" if trigger == "status_set" else trigger
            )
        return self.Rule.create(
            {
                "name": f"Test {trigger}",
                "trigger": trigger,
                "channel": "email",
                "mail_template_id": self.env.ref(template).id,
                "company_id": self.company.id,
                **values,
            }
        )

    def make_event(self, start=None, hours=1, partners=None, **values):
        start = start or fields.Datetime.now() + timedelta(days=2)
        partners = self.customer if partners is None else partners
        return self.Event.create(
            {
                "name": "Haircut",
                "start": start,
                "stop": start + timedelta(hours=hours),
                "partner_ids": [(6, 0, partners.ids)],
                **values,
            }
        )

    def messages(self, record, **filters):
        domain = [("res_model", "=", record._name), ("res_id", "in", record.ids)]
        domain += [(key, "=", value) for key, value in filters.items()]
        return self.Message.search(domain, order="id")

    def dispatch(self):
        return self.Message._cron_dispatch()
