import json
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.appointment_notify.models.appointment_notify_rule import TRIGGERS

CONTENT_SID_RE = re.compile(r"^HX[0-9a-fA-F]{32}$")
PLACEHOLDER_RE = re.compile(r"{{\s*(\d+)\s*}}")
# The expression whose value goes into the buttons' payload (confirm:<message id>).
MESSAGE_ID_EXPRESSION = "message.id"


class AppointmentNotifyWhatsappTemplate(models.Model):
    """A Twilio Content template approved by Meta, in one language.

    Business-initiated WhatsApp messages must use an approved template: the
    dispatcher sends its ContentSid with the variables' values; the body here
    is the text as submitted to Meta, for the preview and the submission.
    """

    _name = "appointment.notify.whatsapp.template"
    _description = "WhatsApp template (Twilio Content)"
    _order = "res_model, trigger, lang_code, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Empty: every company. A ContentSid belongs to one Twilio account.",
    )
    content_sid = fields.Char(
        string="ContentSid",
        copy=False,
        help="HX... of the approved template, pasted from Twilio's Content Template "
        "Builder. Empty: not approved yet, nothing is sent with this template.",
    )
    lang_id = fields.Many2one(
        "res.lang",
        string="Language",
        required=True,
        context={"active_test": False},
        ondelete="restrict",
    )
    lang_code = fields.Char(related="lang_id.code", store=True, string="Language code")
    category = fields.Selection(
        [
            ("utility", "Utility"),
            ("marketing", "Marketing"),
            ("authentication", "Authentication"),
        ],
        required=True,
        default="utility",
        help="Meta's category: booking messages are utility; review requests marketing.",
    )
    res_model = fields.Selection(
        selection=lambda self: self.env["appointment.notify.rule"]._selection_res_model(),
        string="Applies to",
        required=True,
        default="calendar.event",
    )
    trigger = fields.Selection(TRIGGERS, help="The trigger this template is written for.")
    status_value = fields.Selection(
        selection=lambda self: self.env["appointment.notify.rule"]._selection_status_value(),
        string="Status",
        help="For 'Status changed to...': the status this template is written for "
        "(e.g. a repair's Repaired: ready for pickup).",
    )
    body = fields.Text(
        required=True,
        help="The text as submitted to Meta, with {{1}}, {{2}}... for the variables. "
        "It may not start or end with a variable.",
    )
    variable_ids = fields.One2many(
        "appointment.notify.whatsapp.template.variable",
        "template_id",
        string="Variables",
        copy=True,
    )
    quick_reply = fields.Boolean(
        string="Confirm / Cancel buttons",
        help="Quick-reply buttons: the customer confirms or cancels with one tap.",
    )
    confirm_label = fields.Char(default="Confirm", help="Button text, at most 20 characters.")
    cancel_label = fields.Char(default="Cancel", help="Button text, at most 20 characters.")
    preview_ref = fields.Reference(
        selection=lambda self: self.env["appointment.notify.rule"]._selection_res_model(),
        string="Preview for",
        help="A record to render the preview with (its first customer).",
    )
    preview = fields.Text(compute="_compute_preview")
    content_json = fields.Text(
        string="Twilio Content definition",
        compute="_compute_content_json",
        help="What to create in Twilio's Content API and submit to Meta for approval.",
    )

    @api.constrains("content_sid")
    def _check_content_sid(self):
        for template in self.filtered("content_sid"):
            if not CONTENT_SID_RE.match(template.content_sid):
                raise ValidationError(
                    self.env._(
                        "Template '%s': a ContentSid is HX followed by 32 hexadecimal characters.",
                        template.name,
                    )
                )

    @api.constrains("body", "variable_ids")
    def _check_placeholders(self):
        for template in self:
            numbers = set(template.variable_ids.mapped("number"))
            used = {int(n) for n in PLACEHOLDER_RE.findall(template.body or "")}
            missing = used - numbers
            if missing:
                raise ValidationError(
                    self.env._(
                        "Template '%(name)s' uses {{%(n)s}} without a variable line for it.",
                        name=template.name,
                        n=min(missing),
                    )
                )
            if numbers and numbers != set(range(1, len(numbers) + 1)):
                raise ValidationError(
                    self.env._(
                        "Template '%s': number the variables 1, 2, 3... without gaps.",
                        template.name,
                    )
                )

    @api.constrains("res_model")
    def _check_variable_paths(self):
        # object.<field> paths are checked against the model the template applies to.
        self.variable_ids._check_expression()

    @api.constrains("quick_reply", "confirm_label", "cancel_label")
    def _check_buttons(self):
        for template in self.filtered("quick_reply"):
            labels = [template.confirm_label or "", template.cancel_label or ""]
            if not all(labels) or max(map(len, labels)) > 20:
                raise ValidationError(
                    self.env._(
                        "Template '%s': each button needs a text of at most 20 characters.",
                        template.name,
                    )
                )

    # ------------------------------------------------------------------
    # rendering
    # ------------------------------------------------------------------

    def _payload_number(self):
        """The variable carrying the message id for the buttons' payload, or 0."""
        self.ensure_one()
        line = self.variable_ids.filtered(lambda v: v.expression.strip() == MESSAGE_ID_EXPRESSION)
        return line[:1].number

    def _render_variables(self, eval_context):
        """{"1": "value", ...} for Twilio's ContentVariables, and the body filled in.

        Each variable is a path of fields read one by one (see the variable
        model): the dispatcher renders as superuser, so no expression is run.
        """
        self.ensure_one()
        values = {}
        for line in self.variable_ids.sorted("number"):
            try:
                value = line._evaluate(eval_context)
            except Exception as exc:
                raise ValueError(
                    self.env._(
                        "variable {{%(n)s}} (%(expr)s) failed: %(error)s",
                        n=line.number,
                        expr=line.expression,
                        error=exc,
                    )
                ) from exc
            values[str(line.number)] = self._format_value(value)
        text = PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), self.body or "")
        return values, text

    @api.model
    def _format_value(self, value):
        # WhatsApp refuses empty parameters: an empty value becomes a dash.
        if isinstance(value, models.BaseModel):
            value = ", ".join(value.mapped("display_name"))
        elif value is None or value is False:
            value = ""
        text = str(value).strip().replace("\n", " ")
        return text or "-"

    @api.model
    def _eval_context(self, record, partner, message=None):
        ctx = record._notify_render_context(partner)
        return {
            # Without the self-service links these render empty, never an error.
            "manage_url": "",
            "manage_path": "",
            **ctx,
            "object": record,
            "message": message or self.env["appointment.notify.message"],
        }

    @api.depends("body", "variable_ids.expression", "variable_ids.number", "preview_ref")
    def _compute_preview(self):
        for template in self:
            record = template.preview_ref
            if not record:
                template.preview = template.body
                continue
            partner = record._notify_customers()[:1] or self.env.user.partner_id
            lang = template.lang_code or partner.lang
            try:
                record = record.with_context(lang=lang)
                _values, text = template._render_variables(
                    template._eval_context(record, partner.with_context(lang=lang))
                )
            except Exception as exc:  # noqa: BLE001 (the preview shows the error instead)
                text = self.env._("The preview failed: %s", exc)
            template.preview = text

    @api.depends(
        "name",
        "body",
        "lang_code",
        "variable_ids.sample",
        "quick_reply",
        "confirm_label",
        "cancel_label",
    )
    def _compute_content_json(self):
        for template in self:
            payload_var = template._payload_number()
            text = {"body": template.body or ""}
            types = {"twilio/text": text}
            if template.quick_reply:
                suffix = ":{{%s}}" % payload_var if payload_var else ""
                types = {
                    "twilio/quick-reply": {
                        **text,
                        "actions": [
                            {"title": template.confirm_label, "id": "confirm" + suffix},
                            {"title": template.cancel_label, "id": "cancel" + suffix},
                        ],
                    }
                }
            definition = {
                "friendly_name": re.sub(r"\W+", "_", (template.name or "").lower()).strip("_"),
                "language": (template.lang_code or "en").split("_")[0],
                "variables": {str(v.number): v.sample or "" for v in template.variable_ids},
                "types": types,
            }
            template.content_json = json.dumps(definition, indent=2, ensure_ascii=False)
