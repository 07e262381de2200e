from odoo.tests import TransactionCase, tagged

from odoo.addons.appointment_notify_sms.tests.test_install import dependency_closure


@tagged("post_install", "-at_install")
class TestWhatsappInstall(TransactionCase):
    def test_no_repair_for_a_salon(self):
        """WhatsApp without repair: it brings SMS (its fallback), not repair."""
        closure = dependency_closure(self.env, "appointment_notify_whatsapp")
        self.assertIn("appointment_notify_sms", closure)
        self.assertFalse(closure & {"repair", "stock", "sale", "appointment_notify_repair"})

    def test_whatsapp_channel_offered(self):
        """Once installed, rules and messages offer the WhatsApp channel."""
        for model in ("appointment.notify.rule", "appointment.notify.message"):
            channels = dict(self.env[model]._fields["channel"].selection)
            self.assertEqual(channels.get("whatsapp"), "WhatsApp", model)
