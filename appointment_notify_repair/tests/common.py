from datetime import timedelta

from odoo import fields

from odoo.addons.appointment_notify.tests.common import NotifyCase

# Trigger -> this addon's default template for it.
TEMPLATES = {"booked": "created", "status_set": "status_changed"}
# The nine cases with a default text, as the template ids end (e-mail here,
# SMS and WhatsApp in the glue addons).
CASES = (
    "created",
    "status_changed",
    "confirmed",
    "under_repair",
    "done",
    "cancelled",
    "rescheduled",
    "reminder",
    "followup",
)


class RepairNotifyCase(NotifyCase):
    """NotifyCase with a repair shop: its address, a product, repair orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Repair = cls.env["repair.order"]
        cls.company.partner_id.write({"street": "Damrak 1", "zip": "1012 LG", "city": "Amsterdam"})
        cls.product = cls.env["product.product"].create({"name": "Smartphone X12", "type": "consu"})
        cls.picking_type = (
            cls.env["stock.warehouse"]
            .search([("company_id", "=", cls.company.id)], limit=1)
            .repair_type_id
        )

    def make_rule(self, trigger, template=None, **values):
        # Not super(): it forces the appointment template on "status_set" rules.
        template = template or (
            "appointment_notify_repair.mail_template_repair_" + TEMPLATES.get(trigger, trigger)
        )
        return self.Rule.create(
            {
                "name": f"Test repair {trigger}",
                "res_model": "repair.order",
                "trigger": trigger,
                "channel": "email",
                "mail_template_id": self.env.ref(template).id,
                "company_id": self.company.id,
                **values,
            }
        )

    def make_order(self, schedule=None, partner=None, **values):
        """A repair order; ``schedule``: the visit, by default in three days."""
        schedule = schedule or fields.Datetime.now() + timedelta(days=3)
        return self.Repair.create(
            {
                "partner_id": (partner or self.customer).id,
                "product_id": self.product.id,
                "picking_type_id": self.picking_type.id,
                "schedule_date": schedule,
                **values,
            }
        )

    def finish(self, order):
        """Draft -> confirmed -> under repair -> done, through the buttons."""
        order.action_validate()
        order.action_repair_start()
        order.action_repair_end()
        self.assertEqual(order.state, "done")
