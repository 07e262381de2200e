from odoo.tests import TransactionCase, tagged

from odoo.addons.appointment_notify_repair.tests.test_install import states_after_install

GLUE = "appointment_notify_repair_whatsapp"


@tagged("post_install", "-at_install", "appointment_notify_repair_whatsapp")
class TestRepairWhatsappInstall(TransactionCase):
    def test_repair_support_brings_whatsapp_repair_notices(self):
        """WhatsApp already installed: installing repair brings this addon along."""
        states = states_after_install(self.env, ["repair"], ["repair"])
        self.assertEqual(states["appointment_notify_repair"], "to install")
        self.assertEqual(states[GLUE], "to install")

    def test_whatsapp_brings_whatsapp_repair_notices(self):
        """Repair support already installed: installing WhatsApp brings this addon along."""
        channel = "appointment_notify_whatsapp"
        states = states_after_install(self.env, [channel], [channel])
        self.assertEqual(states[channel], "to install")
        self.assertEqual(states[GLUE], "to install")

    def test_not_without_repair(self):
        """WhatsApp without repair support does not bring this addon."""
        channel = "appointment_notify_whatsapp"
        states = states_after_install(self.env, [channel, "repair"], [channel])
        self.assertEqual(states[channel], "to install")
        self.assertEqual(states[GLUE], "uninstalled")
