import json
from datetime import date, timedelta

from odoo.tests import HttpCase, tagged

from odoo.addons.appointment_notify_booking.tests.common import BookingCase, local
from odoo.addons.appointment_notify_links.models.appointment_notify_mixin import MANAGE_PATH
from odoo.addons.appointment_notify_whatsapp.tests.common import WhatsappCase
from odoo.addons.appointment_notify_whatsapp.tests.test_whatsapp_webhooks import (
    TestWhatsappWebhooks,
)

from ..hooks import LABELS, TRIGGERS, add_manage_buttons


@tagged("post_install", "-at_install", "appointment_notify_links_whatsapp")
class TestManageButton(WhatsappCase, BookingCase, HttpCase):
    """The URL button's {{n}} is the link's token; Twilio's fake receives it."""

    def book_service(self, trigger="confirmed"):
        self.make_wa_rule(trigger)
        day = date.today() + timedelta(days=3)
        if day.weekday() == 6:
            day += timedelta(days=1)
        event = self.service._book(self.customer, local(f"{day} 10:00"), staff=self.anna)
        return event, self.messages(event, channel="whatsapp", trigger=trigger)

    def test_default_templates_carry_the_button(self):
        for trigger in TRIGGERS:
            for lang, label in LABELS.items():
                template = self.template(trigger, lang)
                number = template._manage_path_number()
                self.assertTrue(template.manage_button, template.name)
                self.assertTrue(number, template.name)
                self.assertLessEqual(len(template.manage_button_label), 20)
                self.assertEqual(template.manage_button_label, label)
        # Not where there is nothing left to manage.
        self.assertFalse(self.template("cancelled").manage_button)
        self.assertFalse(self.template("followup").manage_button)

    def test_install_leaves_approved_templates_alone(self):
        """What Meta approved stays as it is; a template not approved yet gets the button."""
        template = self.template("rescheduled", "tr")
        template.write(
            {
                "manage_button": False,
                "variable_ids": [
                    (2, line.id)
                    for line in template.variable_ids
                    if line.expression == "manage_path"
                ],
            }
        )
        self.assertTrue(template.content_sid)
        add_manage_buttons(self.env)
        self.assertFalse(template.manage_button)
        self.assertFalse(template._manage_path_number())
        template.content_sid = False
        add_manage_buttons(self.env)
        self.assertTrue(template.manage_button)
        self.assertEqual(template.manage_button_label, "Randevuyu yönet")
        self.assertEqual(
            template._manage_path_number(), max(template.variable_ids.mapped("number"))
        )

    def test_content_definition_has_the_url_button(self):
        template = self.template("confirmed")
        number = template._manage_path_number()
        base = template.get_base_url()
        definition = json.loads(template.content_json)
        card = definition["types"]["twilio/card"]
        self.assertEqual([a["type"] for a in card["actions"]], ["QUICK_REPLY"] * 2 + ["URL"])
        self.assertEqual(card["actions"][-1]["url"], f"{base}{MANAGE_PATH}{{{{{number}}}}}")
        self.assertEqual(template.manage_button_url, card["actions"][-1]["url"])
        self.assertTrue(definition["variables"][str(number)])
        booked = json.loads(self.template("booked", "nl").content_json)
        (action,) = booked["types"]["twilio/call-to-action"]["actions"]
        self.assertEqual(action["title"], "Afspraak beheren")
        template.manage_button = False
        self.assertNotIn("URL", template.content_json)

    def test_content_variables_carry_the_token_which_opens_the_page(self):
        event, message = self.book_service()
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        (sent,) = self.wa_sent()
        template = self.template("confirmed")
        token = json.loads(sent["ContentVariables"])[str(template._manage_path_number())]
        self.assertEqual(
            event._notify_manage_url(self.customer), event.get_base_url() + MANAGE_PATH + token
        )
        self.assertNotIn("/", token)
        page = self.url_open(MANAGE_PATH + token)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Haircut", page.text)
        self.assertIn('name="cancel"', page.text)
        tampered = self.url_open(MANAGE_PATH + token[:-2] + "xx")
        self.assertEqual(tampered.status_code, 404)

    def test_manage_url_in_the_body(self):
        event, message = self.book_service()
        template = self.template("confirmed")
        number = max(template.variable_ids.mapped("number")) + 1
        template.write(
            {
                "body": template.body + " Or online: {{%s}} today." % number,
                "variable_ids": [(0, 0, {"number": number, "expression": "manage_url"})],
            }
        )
        self.dispatch()
        (sent,) = self.wa_sent()
        url = event._notify_manage_url(self.customer)
        self.assertEqual(json.loads(sent["ContentVariables"])[str(number)], url)
        self.assertIn(f"Or online: {url} today.", message.body)

    def test_no_link_renders_a_dash_not_an_error(self):
        """An event without a service has no link: WhatsApp refuses empty values."""
        event, (message,) = self.book_wa()
        self.assertFalse(event.notify_service_id)
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        (sent,) = self.wa_sent()
        number = self.template("confirmed")._manage_path_number()
        self.assertEqual(json.loads(sent["ContentVariables"])[str(number)], "-")


@tagged("post_install", "-at_install", "appointment_notify_links_whatsapp")
class TestConfirmButton(WhatsappCase, BookingCase, HttpCase):
    """Confirm on a booking's WhatsApp message is attendance, as on the page."""

    inbound = TestWhatsappWebhooks.inbound  # the signed webhook, without its tests

    def test_confirm_tap_accepts_the_attendee_not_the_booking(self):
        self.company.notify_manual_confirmation = True
        self.make_wa_rule("awaiting")
        day = date.today() + timedelta(days=3)
        if day.weekday() == 6:
            day += timedelta(days=1)
        event = self.service._book(self.customer, local(f"{day} 10:00"), staff=self.anna)
        self.assertEqual(event.booking_state, "awaiting")
        self.dispatch()
        message = self.messages(event, channel="whatsapp", trigger="awaiting")
        self.assertEqual(message.state, "sent", message.reason)
        inbound = self.inbound(
            "Confirm", ButtonPayload=f"confirm:{message.id}", ButtonText="Confirm"
        )
        self.assertEqual(inbound.kind, "confirm")
        # Staff still decide on the booking; the customer said they will come.
        self.assertEqual(event.booking_state, "awaiting")
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.customer)
        self.assertEqual(attendee.state, "accepted")
        notes = " ".join(event.message_ids.mapped("body"))
        self.assertIn("confirmed their attendance", notes)
        self.assertIn("By WhatsApp from", notes)
        # A second tap changes nothing and writes no second note.
        self.inbound("Confirm", ButtonPayload=f"confirm:{message.id}", ButtonText="Confirm")
        self.assertEqual(
            " ".join(event.message_ids.mapped("body")).count("confirmed their attendance"), 1
        )
