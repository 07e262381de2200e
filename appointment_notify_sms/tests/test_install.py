from odoo.tests import TransactionCase, tagged


def dependency_closure(env, name):
    """Names of the modules that installing ``name`` installs (its dependencies)."""
    todo = env["ir.module.module"].search([("name", "=", name)])
    closure = todo.browse()
    while todo:
        closure |= todo
        todo = todo.dependencies_id.depend_id - closure
    return set(closure.mapped("name"))


@tagged("post_install", "-at_install")
class TestSmsInstall(TransactionCase):
    def test_no_repair_for_a_salon(self):
        """A salon that only books appointments gets no repair (nor its stock/sales)."""
        closure = dependency_closure(self.env, "appointment_notify_sms")
        self.assertIn("sms_twilio", closure)
        self.assertFalse(closure & {"repair", "stock", "sale", "appointment_notify_repair"})

    def test_sms_channel_offered(self):
        """Once installed, rules and messages offer the SMS channel."""
        for model in ("appointment.notify.rule", "appointment.notify.message"):
            channels = dict(self.env[model]._fields["channel"].selection)
            self.assertEqual(channels.get("sms"), "SMS", model)
