from odoo.addons.appointment_notify_repair.tests.common import RepairNotifyCase
from odoo.addons.appointment_notify_sms.tests.common import SmsCase


class RepairSmsCase(RepairNotifyCase, SmsCase):
    """A repair shop (RepairNotifyCase) with a Twilio account on a local FakeTwilio."""

    def sms_template(self, case):
        return self.env.ref(f"appointment_notify_repair_sms.sms_template_repair_{case}")

    def make_repair_sms_rule(self, trigger, case, **values):
        return self.Rule.create(
            {
                "name": f"Repair SMS {case}",
                "res_model": "repair.order",
                "trigger": trigger,
                "channel": "sms",
                "sms_template_id": self.sms_template(case).id,
                "company_id": self.company.id,
                **values,
            }
        )
