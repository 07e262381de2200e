from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    notify_manual_confirmation = fields.Boolean(
        string="Bookings need confirmation",
        help="New appointments start as 'awaiting confirmation' until staff confirm them.",
    )
    notify_email_consent_relaxed = fields.Boolean(
        string="Service e-mails without consent",
        help="Confirmations, changes and reminders by e-mail go to every customer with "
        "an address; other channels and non-service messages still need consent.",
    )
    notify_resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Notification working hours",
        help="Rules sending 'in working hours only' follow these hours and their time "
        "zone. Defaults to the company's working hours.",
    )
    notify_calendar_invitations = fields.Boolean(
        string="Odoo's calendar invitations to customers",
        help="Customers also get Odoo's calendar invitation and 'date updated' e-mails, "
        "with their own .ics file. Off: customers hear only from the notification rules, "
        "whose confirmation and new-time e-mails carry the .ics. Calendar reminders "
        "(alarms, by e-mail or SMS) never reach customers: reminder rules replace them.",
    )
    notify_test_mode = fields.Boolean(
        string="Notifications test mode",
        help="Render and log every message without sending anything.",
    )

    def _notify_calendar(self):
        self.ensure_one()
        return self.notify_resource_calendar_id or self.resource_calendar_id
