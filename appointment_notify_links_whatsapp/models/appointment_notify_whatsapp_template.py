import json

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.appointment_notify_links.models.appointment_notify_mixin import MANAGE_PATH

# The variable whose value is the link's token: the {{n}} of the URL button.
MANAGE_PATH_EXPRESSION = "manage_path"


class AppointmentNotifyWhatsappTemplate(models.Model):
    _inherit = "appointment.notify.whatsapp.template"

    manage_button = fields.Boolean(
        string="Self-service button",
        help="A URL button opening the customer's self-service page. In Twilio's "
        "Content Template Builder add a 'Visit website' (URL) button with the URL "
        "https://<your host>/appointment_notify/manage/{{n}}, n being the variable "
        "whose expression is manage_path.",
    )
    manage_button_label = fields.Char(
        string="Self-service button text",
        default="Manage booking",
        help="Button text, at most 20 characters.",
    )
    manage_button_url = fields.Char(
        string="Button URL for Twilio",
        compute="_compute_manage_button_url",
        help="What to enter as the URL button's address in Twilio's Content Template Builder.",
    )

    @api.constrains("manage_button", "manage_button_label", "variable_ids")
    def _check_manage_button(self):
        for template in self.filtered("manage_button"):
            label = template.manage_button_label or ""
            if not label or len(label) > 20:
                raise ValidationError(
                    self.env._(
                        "Template '%s': the self-service button needs a text of at most "
                        "20 characters.",
                        template.name,
                    )
                )
            if not template._manage_path_number():
                raise ValidationError(
                    self.env._(
                        "Template '%s': the self-service button needs a variable with the "
                        "expression manage_path (the end of its URL).",
                        template.name,
                    )
                )

    def _manage_path_number(self):
        """The variable carrying the link's token for the URL button, or 0."""
        self.ensure_one()
        line = self.variable_ids.filtered(
            lambda v: (v.expression or "").strip() == MANAGE_PATH_EXPRESSION
        )
        return line[:1].number

    @api.depends("variable_ids.expression", "variable_ids.number", "manage_button")
    def _compute_manage_button_url(self):
        for template in self:
            number = template.manage_button and template._manage_path_number()
            template.manage_button_url = (
                f"{template.get_base_url()}{MANAGE_PATH}{{{{{number}}}}}" if number else False
            )

    @api.model
    def _eval_context(self, record, partner, message=None):
        ctx = super()._eval_context(record, partner, message=message)
        url = ctx.get("manage_url") or ""
        # The token alone: Meta approves the button's fixed start, the host and path.
        ctx["manage_path"] = url.split(MANAGE_PATH, 1)[1] if MANAGE_PATH in url else ""
        return ctx

    @api.depends("manage_button", "manage_button_label", "manage_button_url")
    def _compute_content_json(self):
        result = super()._compute_content_json()
        for template in self.filtered(lambda t: t.manage_button and t.manage_button_url):
            definition = json.loads(template.content_json)
            url_button = {
                "type": "URL",
                "title": template.manage_button_label,
                "url": template.manage_button_url,
            }
            types = definition["types"]
            if "twilio/quick-reply" in types:
                # Quick replies and a URL button together: a card.
                quick = types.pop("twilio/quick-reply")
                actions = [{"type": "QUICK_REPLY", **action} for action in quick["actions"]]
                types["twilio/card"] = {"title": quick["body"], "actions": [*actions, url_button]}
            else:
                text = types.pop("twilio/text")
                types["twilio/call-to-action"] = {"body": text["body"], "actions": [url_button]}
            number = str(template._manage_path_number())
            if not definition["variables"].get(number):
                definition["variables"][number] = "sample-token"
            template.content_json = json.dumps(definition, indent=2, ensure_ascii=False)
        return result
