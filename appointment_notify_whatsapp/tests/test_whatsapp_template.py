import json

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import WhatsappCase

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


@tagged("post_install", "-at_install", "appointment_notify_whatsapp")
class TestWhatsappTemplate(WhatsappCase):
    def test_default_templates(self):
        """Every trigger in five languages, Meta-ready; buttons on confirmation and reminder."""
        for trigger in TRIGGERS:
            for lang in ("en", "tr", "nl", "it", "uk"):
                template = self.template(trigger, lang)
                body = template.body
                self.assertFalse(body.startswith("{{") or body.endswith("}}"), body)
                self.assertEqual(template.quick_reply, trigger in ("confirmed", "reminder"))
                definition = json.loads(template.content_json)
                self.assertTrue(all(definition["variables"].values()), trigger)
                if template.quick_reply:
                    # A card when a URL button joins them (appointment_notify_links_whatsapp).
                    types = definition["types"]
                    buttons = types.get("twilio/quick-reply") or types["twilio/card"]
                    actions = [a for a in buttons["actions"] if a.get("type") != "URL"]
                    n = template._payload_number()
                    self.assertEqual(
                        [a["id"] for a in actions], [f"confirm:{{{{{n}}}}}", f"cancel:{{{{{n}}}}}"]
                    )
        # shipped without a ContentSid: the administrator pastes the approved one
        shipped = self.env["appointment.notify.whatsapp.template"].with_context(active_test=False)
        self.assertEqual(shipped.search_count([]), 45)

    def test_constraints(self):
        template = self.template("booked")
        with self.assertRaises(ValidationError):
            template.content_sid = "HX123"
        with self.assertRaises(ValidationError):
            template.body = "Hello {{1}}, see you {{9}}."
        with self.assertRaises(ValidationError):
            self.make_wa_rule("booked", whatsapp_template_ids=[(6, 0, [])])
        with self.assertRaises(ValidationError):  # two English templates on one rule
            self.make_wa_rule(
                "booked",
                whatsapp_template_ids=[
                    (6, 0, (self.template("booked") | self.template("confirmed")).ids)
                ],
            )
        with self.assertRaises(ValidationError):  # fallback without its template
            self.make_wa_rule("booked", fallback_channel="sms")

    def test_preview_for_a_record(self):
        event = self.make_event(partners=self.customer)
        template = self.template("cancelled")
        template.preview_ref = f"calendar.event,{event.id}"
        when = event._notify_render_context(self.customer)["when"]
        self.assertEqual(
            template.preview,
            f"Hello Ayla Customer, your appointment at {self.company.name} on {when} is "
            f"cancelled. To book again, call us on {self.company.phone}.",
        )
        template.variable_ids.filtered(lambda v: v.number == 1).expression = "object.name"
        self.assertIn("Hello Haircut,", template.preview)
