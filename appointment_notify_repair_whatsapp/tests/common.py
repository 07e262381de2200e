from odoo.addons.appointment_notify_repair.tests.common import RepairNotifyCase
from odoo.addons.appointment_notify_whatsapp.tests.common import WhatsappCase

# case (the nine of appointment_notify_repair's CASES) -> (trigger, status) the
# templates are written for.
CASES = {
    "created": ("booked", False),
    "status_changed": ("status_changed", False),
    "confirmed": ("confirmed", False),
    "under_repair": ("status_set", "under_repair"),
    "done": ("status_set", "done"),
    "cancelled": ("cancelled", False),
    "rescheduled": ("rescheduled", False),
    "reminder": ("reminder", False),
    "followup": ("followup", False),
}
# Template id suffix -> language code.
LANG_CODES = {"en": "en_US", "tr": "tr_TR", "nl": "nl_NL", "it": "it_IT", "uk": "uk_UA"}


class RepairWhatsappCase(RepairNotifyCase, WhatsappCase):
    """A repair shop with a WhatsApp sender on a local FakeTwilio; templates approved."""

    def wa_template(self, case, lang="en"):
        return self.env.ref(
            f"appointment_notify_repair_whatsapp.whatsapp_template_repair_{case}_{lang}"
        )

    def wa_templates(self, case):
        return self.Template.browse([self.wa_template(case, lang).id for lang in LANG_CODES])
