from collections import defaultdict

from odoo import api, fields, models

# Statuses with a generic trigger of their own: the "Confirmed" and "Cancelled"
# rules then work for repairs as they do for appointments.
STATUS_TRIGGERS = {"confirmed": "confirmed", "cancel": "cancelled"}
CANCEL_STATUSES = {"cancel"}


class RepairOrder(models.Model):
    _name = "repair.order"
    _inherit = ["repair.order", "appointment.notify.mixin"]

    _notify_status_field = "state"
    _notify_watched_fields = ("schedule_date", "partner_id", "notify_done_at")

    notify_done_at = fields.Datetime(
        string="Repaired on",
        copy=False,
        readonly=True,
        help="When the order was set to Repaired: review requests count from it.",
    )

    # ------------------------------------------------------------------
    # CRUD: detect the changes that notify (imports and the API included)
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("state") == "done":
                vals.setdefault("notify_done_at", now)
        orders = super().create(vals_list)
        orders._notify_after_create()
        return orders

    def write(self, vals):
        if vals.get("state") == "done" and "notify_done_at" not in vals:
            # Keep the first done time of orders that were done before.
            undated = self.filtered(lambda r: not r.notify_done_at)
            if undated and undated != self:
                (self - undated).write(vals)
                return undated.write(vals)
            if undated:
                vals = {**vals, "notify_done_at": fields.Datetime.now()}
        snapshot = self._notify_snapshot(vals)
        res = super().write(vals)
        self._notify_after_write(snapshot)
        return res

    def unlink(self):
        self._notify_before_unlink()
        # repair cancels the orders it deletes: that write must not plan messages
        # about a record that is going away (the hook above planned what is due).
        return super(RepairOrder, self.with_context(appointment_notify_silent=True)).unlink()

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def action_view_notify_messages(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "appointment_notify.appointment_notify_message_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # appointment.notify.mixin
    # ------------------------------------------------------------------

    def _notify_customers(self):
        self.ensure_one()
        return self.partner_id

    def _notify_company(self):
        return self.company_id

    def _notify_start(self):
        return self.schedule_date

    def _notify_end(self):
        return self.notify_done_at

    @api.model
    def _notify_status_triggers(self):
        return dict(STATUS_TRIGGERS)

    @api.model
    def _notify_cancel_statuses(self):
        return set(CANCEL_STATUSES)

    def _notify_render_context(self, partner):
        ctx = super()._notify_render_context(partner)
        lang = partner.lang or self.env.lang or "en_US"
        # The mixin words the status in the dispatcher's language: use the customer's.
        status = self.with_context(lang=lang)._notify_status_selection()
        ctx["status"] = dict(status).get(self.state, "")
        ctx["location"] = self._notify_shop_address()
        # Ready-made for short texts (SMS, WhatsApp variables), in no language:
        # "WH/RO/00042 (Smartphone X12)" and "Fix-It, Damrak 1, 1012 LG Amsterdam".
        product = self.product_id.with_context(lang=lang).display_name
        ctx["order_ref"] = f"{self.name} ({product})" if product else self.name
        ctx["shop"] = ", ".join(part for part in (self.company_id.name, ctx["location"]) if part)
        return ctx

    def _notify_shop_address(self):
        """The shop's address on one line: where the customer brings or picks up."""
        shop = self.company_id.partner_id
        city = " ".join(part for part in (shop.zip, shop.city) if part)
        parts = (shop.street, shop.street2, city)
        return ", ".join(part for part in parts if part)

    def _notify_plan(self, triggers, partners=None):
        # Walk-in orders (scheduled now, the default) have no visit to remind of,
        # and an order has no follow-up anchor until it is done: planning those
        # would log a "skipped" message on nearly every order. They are planned
        # when schedule_date moves ahead or the order is done.
        now = fields.Datetime.now()
        groups = defaultdict(lambda: self.browse())
        for order in self:
            skip = set()
            if not (order.schedule_date and order.schedule_date > now):
                skip.add("reminder")
            if not order.notify_done_at:
                skip.add("followup")
            groups[tuple(t for t in triggers if t not in skip)] |= order
        messages = self.env["appointment.notify.message"]
        for wanted, orders in groups.items():
            messages |= super(RepairOrder, orders)._notify_plan(list(wanted), partners=partners)
        return messages

    def _notify_after_write(self, snapshot):
        # The mixin reads any change of start or end as a reschedule. For a repair
        # only schedule_date is the visit: the done time appearing plans the
        # follow-up, it does not tell the customer about a new time.
        Message = self.env["appointment.notify.message"].sudo()
        ended = self.browse()
        reopened = self.browse()
        for order in self:
            old = snapshot.get(order.id)
            if not old:
                continue
            if old["end"] != order.notify_done_at:
                old["end"] = order.notify_done_at
                ended |= order
            if old["status"] in CANCEL_STATUSES and order.state not in CANCEL_STATUSES:
                reopened |= order
        res = super()._notify_after_write(snapshot)
        for order in ended.filtered(lambda r: r.state not in CANCEL_STATUSES):
            Message._move_pending(order)
            order._notify_plan(["followup"])
        # Back from cancelled (Set to Draft): revive its reminder and follow-up.
        reopened._notify_plan(["reminder", "followup"])
        return res
