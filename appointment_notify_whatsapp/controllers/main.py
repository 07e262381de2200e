from odoo.http import request, route

from odoo.addons.appointment_notify_sms.controllers.main import (
    EMPTY_TWIML,
    TwilioSmsController,
)

from ..models.appointment_notify_message import STATUS_PATH

INBOUND_PATH = "/appointment_notify_whatsapp/inbound"


class TwilioWhatsappController(TwilioSmsController):
    """WhatsApp's webhooks, signed like the SMS ones (same account, same check).

    Own routes: the SMS status route only handles SMS messages.
    """

    @route(
        f"{STATUS_PATH}/<int:message_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
    )
    def twilio_whatsapp_status(self, message_id, **kwargs):
        company = self._notify_sms_company()
        if not company:
            return request.make_response("Forbidden", status=403)
        form = request.httprequest.form
        message = request.env["appointment.notify.message"].sudo().browse(message_id).exists()
        same_account = (
            message
            and message.company_id.sudo().sms_twilio_account_sid == company.sms_twilio_account_sid
        )
        if same_account and message.channel == "whatsapp":
            message._whatsapp_apply_status(
                form.get("MessageStatus"), form.get("ErrorCode"), form.get("MessageSid")
            )
        return request.make_response("", status=200)

    @route(INBOUND_PATH, type="http", auth="public", methods=["POST"], csrf=False)
    def twilio_whatsapp_inbound(self, **kwargs):
        company = self._notify_sms_company()
        if not company:
            return request.make_response("Forbidden", status=403)
        params = request.httprequest.form.to_dict()
        request.env["appointment.notify.whatsapp.inbound"].sudo()._process_twilio(company, params)
        # Empty TwiML: answers are queued as messages and sent by the dispatcher.
        return request.make_response(EMPTY_TWIML, headers=[("Content-Type", "text/xml")])
