from datetime import timedelta

from odoo import fields, models

# The link of a repair order opens this long after its last date (repaired on,
# visit, creation): long enough to come and pick it up.
LINK_VALIDITY = timedelta(days=30)


class RepairOrder(models.Model):
    _inherit = "repair.order"

    # Read-only: nothing on a repair order is the customer's to change online.
    _notify_manage_page = "appointment_notify_repair_links.repair_status_page"

    def _notify_manage_expiry(self):
        self.ensure_one()
        dates = [self.notify_done_at, self.schedule_date, self.create_date]
        return max(filter(None, dates), default=fields.Datetime.now()) + LINK_VALIDITY
