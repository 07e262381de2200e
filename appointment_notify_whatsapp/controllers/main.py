from odoo.http import request, route

from odoo.addons.appointment_notify_sms.controllers.main import TwilioSmsController
from odoo.addons.appointment_notify_sms.tools.twilio_client import EMPTY_TWIML

from ..models.appointment_notify_message import STATUS_PATH

INBOUND_PATH = "/appointment_notify_whatsapp/inbound"


class TwilioWhatsappController(TwilioSmsController):
    """WhatsApp's webhooks, signed like the SMS ones (same account, same check).

    Own routes, the URLs WhatsApp messages give Twilio; the status callback itself
    is handled by the SMS controller, for every Twilio channel.
    """

    @route(
        f"{STATUS_PATH}/<int:message_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
    )
    def twilio_whatsapp_status(self, message_id, **kwargs):
        return self._notify_twilio_status(message_id)

    @route(INBOUND_PATH, type="http", auth="public", methods=["POST"], csrf=False)
    def twilio_whatsapp_inbound(self, **kwargs):
        companies = self._notify_sms_company()
        if not companies:
            return request.make_response("Forbidden", status=403)
        params = request.httprequest.form.to_dict()
        request.env["appointment.notify.whatsapp.inbound"].sudo()._process_twilio(companies, params)
        # Empty TwiML: answers are queued as messages and sent by the dispatcher.
        return request.make_response(EMPTY_TWIML, headers=[("Content-Type", "text/xml")])
