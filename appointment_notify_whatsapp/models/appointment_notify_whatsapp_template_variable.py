import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# customer.name, object.partner_id.phone, when: names and field names, nothing else.
DOTTED_PATH_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
# What each name holds: a record of that model ("object": the template's model),
# or False for a ready-made text (formatted by the record's _notify_render_context).
VARIABLE_ROOTS = {
    "object": None,
    "customer": "res.partner",
    "company": "res.company",
    "message": "appointment.notify.message",
    "when": False,
    "customer_tz": False,
    "note": False,
    "status": False,
    "location": False,
    "order_ref": False,
    "shop": False,
    # The self-service link and its token (the part after /appointment_notify/manage/,
    # for a URL button): empty until appointment_notify_links(_whatsapp) fill them.
    "manage_url": False,
    "manage_path": False,
}


class AppointmentNotifyWhatsappTemplateVariable(models.Model):
    """What fills {{n}} of a template: a dotted path of fields, read when sending.

    Names available: object (the record), customer, company, message (e.g.
    message.id for the buttons' payload) followed by field names, and the texts
    when, customer_tz, note, status, location (and order_ref, shop for repairs),
    manage_url and manage_path (the self-service link, empty without it).
    No code runs: the dispatcher sends as superuser, so the path is checked when
    saved (fields the author may read) and read field by field when rendered.
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
        help="A name followed by field names, e.g. customer.name, when, company.phone, "
        "object.name, message.id. Names: object, customer, company, message, when, "
        "customer_tz, note, status, location (repairs: order_ref, shop), manage_url "
        "(the self-service link) and manage_path (its part after /appointment_notify/"
        "manage/, for a URL button).",
    )
    sample = fields.Char(help="An example value, shown to Meta when submitting the template.")

    _number_unique = models.Constraint(
        "UNIQUE (template_id, number)", "A template has one line per variable number."
    )
    _number_positive = models.Constraint("CHECK (number > 0)", "Variables are numbered from 1.")

    @api.constrains("expression", "template_id")
    def _check_expression(self):
        # Constraints run as sudo: check the fields with the rights of the user saving.
        for line in self.with_env(self.env(su=False)):
            error = line._expression_error()
            if error:
                raise ValidationError(
                    self.env._(
                        "Template '%(template)s', variable {{%(n)s}}: '%(expr)s' is refused: "
                        "%(error)s Write a name followed by field names, e.g. customer.name "
                        "or object.partner_id.phone; names: %(names)s.",
                        template=line.template_id.name,
                        n=line.number,
                        expr=line.expression,
                        error=error,
                        names=", ".join(VARIABLE_ROOTS),
                    )
                )

    def _expression_error(self):
        """Why the expression is not a path the current user may read, or ''."""
        self.ensure_one()
        parts = self._path()
        if not parts:
            return self.env._("it is not a dotted path of names (no calls, no operators).")
        root, *names = parts
        if root not in VARIABLE_ROOTS:
            return self.env._("'%s' is not one of the names.", root)
        model_name = VARIABLE_ROOTS[root]
        if model_name is None:
            model_name = self.template_id.res_model
        for name in names:
            if name.startswith("_"):
                return self.env._("'%s' is private.", name)
            if not model_name:
                return self.env._("'%s' is a text, it has no fields.", root)
            model = self.env[model_name]
            field = model._fields.get(name)
            if not field:
                return self.env._(
                    "'%(name)s' is not a field of %(model)s.", name=name, model=model_name
                )
            if not model._has_field_access(field, "read"):
                return self.env._("you may not read the field '%s'.", name)
            model_name = field.comodel_name if field.relational else False
        return ""

    def _path(self):
        """["customer", "name"] for "customer.name"; [] if not a dotted path."""
        expression = (self.expression or "").strip()
        return expression.split(".") if DOTTED_PATH_RE.match(expression) else []

    def _evaluate(self, eval_context):
        """The value of the path, read field by field (no code is run)."""
        self.ensure_one()
        error = self._expression_error()
        if error:
            raise ValueError(error)
        root, *names = self._path()
        if root not in eval_context:
            raise ValueError(self.env._("'%s' is not available for this record.", root))
        value = eval_context[root]
        for name in names:
            field = value._fields[name]
            if field.relational:
                value = value.mapped(name)
            elif len(value) <= 1:
                value = value[name]
            else:
                value = ", ".join(str(v) for v in value.mapped(name) if v)
        return value
