from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestWhatsappInstall(TransactionCase):
    def test_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "appointment_notify_whatsapp")])
        self.assertEqual(module.state, "installed")
