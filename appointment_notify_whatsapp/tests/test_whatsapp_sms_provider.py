from odoo.tests import tagged

from .common import WhatsappCase


@tagged("post_install", "-at_install", "appointment_notify_whatsapp")
class TestWhatsappSmsProvider(WhatsappCase):
    def test_netgsm_for_sms_leaves_whatsapp_on_twilio(self):
        """SMS through NetGSM (no NetGSM account here): WhatsApp still sends through Twilio."""
        self.company.notify_sms_provider = "netgsm"
        _event, message = self.book_wa()
        self.dispatch()
        self.assertEqual(message.state, "sent", message.reason)
        self.assertFalse(message.test_mode)
        self.assertEqual(len(self.wa_sent()), 1)
