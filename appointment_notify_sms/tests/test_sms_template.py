from odoo.tests import TransactionCase, tagged

from ..tools.sms_encoding import sms_segments


@tagged("post_install", "-at_install", "appointment_notify_sms")
class TestSmsTemplateCost(TransactionCase):
    def cost(self, body):
        template = self.env["sms.template"].create(
            {
                "name": "Cost",
                "model_id": self.env.ref("calendar.model_calendar_event").id,
                "body": body,
            }
        )
        return template.sms_encoding, template.sms_length, template.sms_segment_count

    def test_gsm7_segments(self):
        self.assertEqual(self.cost("a" * 160), ("gsm7", 160, 1))
        self.assertEqual(self.cost("a" * 161), ("gsm7", 161, 2))
        self.assertEqual(self.cost("a" * 306), ("gsm7", 306, 2))
        self.assertEqual(self.cost("a" * 307), ("gsm7", 307, 3))
        # extension characters take two septets: 80 euros fill one segment
        self.assertEqual(self.cost("€" * 80), ("gsm7", 160, 1))
        self.assertEqual(self.cost("€" * 81), ("gsm7", 162, 2))
        # an escape pair is never split across segments
        self.assertEqual(sms_segments("a" * 152 + "€" + "a" * 8)[2], 2)

    def test_turkish_letters_force_ucs2(self):
        for letter in "ğış":
            with self.subTest(letter=letter):
                self.assertEqual(self.cost(letter + "a" * 69), ("ucs2", 70, 1))
                self.assertEqual(self.cost(letter + "a" * 70), ("ucs2", 71, 2))
        self.assertEqual(self.cost("ş" * 134), ("ucs2", 134, 2))
        self.assertEqual(self.cost("ş" * 135), ("ucs2", 135, 3))
        # ü and ö are in GSM-7: German-like Turkish without ğ, ı, ş stays cheap
        self.assertEqual(self.cost("Görüşme")[0], "ucs2")
        self.assertEqual(self.cost("Grüße")[0], "gsm7")

    def test_default_templates_are_single_segment_ready(self):
        """The shipped English texts stay GSM-7, and never ask to reply CANCEL/STOP."""
        for trigger in (
            "booked",
            "awaiting",
            "confirmed",
            "rejected",
            "cancelled",
            "rescheduled",
            "status_changed",
            "reminder",
            "followup",
        ):
            template = self.env.ref(f"appointment_notify_sms.sms_template_event_{trigger}")
            self.assertEqual(template.sms_encoding, "gsm7", trigger)
            self.assertNotIn("CANCEL", template.body.upper().replace("CANCELLED", ""))
            self.assertNotIn("STOP", template.body.upper())
            self.assertIn("{{ when }}", template.body if trigger != "followup" else "{{ when }}")
            self.assertIn("{{ company.phone }}", template.body)
