from odoo import api, fields, models
from odoo.tools import SQL


class AppointmentNotifyInboundMixin(models.AbstractModel):
    """A message a customer sent us through Twilio, processed once per MessageSid.

    Twilio retries a webhook it got no quick answer for: the second delivery
    must not apply a STOP or post a note again. Each channel's log model
    inherits this and declares ``UNIQUE (message_sid)`` (SMS here, WhatsApp in
    its addon).
    """

    _name = "appointment.notify.inbound.mixin"
    _description = "Message received from a customer through Twilio"

    message_sid = fields.Char(string="MessageSid", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    from_number = fields.Char("From", readonly=True)
    body = fields.Text(readonly=True)

    @api.model
    def _claim_sid(self, sid, company):
        """Record ``sid`` as processed; an empty recordset if it already was.

        ON CONFLICT: a concurrent duplicate waits for the first one's commit
        and then does nothing, without an error in the log. If the first one's
        transaction fails, its claim goes with it and a retry is processed.
        """
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO %(table)s
                       (message_sid, company_id, create_uid, write_uid, create_date, write_date)
                VALUES (%(sid)s, %(company)s, %(uid)s, %(uid)s,
                        NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')
                ON CONFLICT (message_sid) DO NOTHING
             RETURNING id
                """,
                table=SQL.identifier(self._table),
                sid=sid,
                company=company.id,
                uid=self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()
