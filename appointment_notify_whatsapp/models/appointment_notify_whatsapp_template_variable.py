from odoo import fields, models


class AppointmentNotifyWhatsappTemplateVariable(models.Model):
    """What fills {{n}} of a template: a safe expression on the record and its context.

    Names available: object (the record), customer, company, when, customer_tz,
    note, status, location (appointments) and message (e.g. message.id for the
    buttons' payload).
    """

    _name = "appointment.notify.whatsapp.template.variable"
    _description = "WhatsApp template variable"
    _order = "template_id, number"

    template_id = fields.Many2one(
        "appointment.notify.whatsapp.template", required=True, ondelete="cascade", index=True
    )
    number = fields.Integer(required=True, help="n of {{n}} in the template's body.")
    expression = fields.Char(
        required=True,
        help="e.g. customer.name, when, company.phone, object.name, message.id",
    )
    sample = fields.Char(help="An example value, shown to Meta when submitting the template.")

    _number_unique = models.Constraint(
        "UNIQUE (template_id, number)", "A template has one line per variable number."
    )
    _number_positive = models.Constraint("CHECK (number > 0)", "Variables are numbered from 1.")
