from . import (
    appointment_notify_inbound_mixin,
    appointment_notify_message,
    appointment_notify_rule,
    appointment_notify_sms_inbound,
    res_company,
    res_config_settings,
    res_partner,
    sms_template,
)
