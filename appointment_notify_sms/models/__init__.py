from . import (
    appointment_notify_message,
    appointment_notify_rule,
    res_company,
    res_config_settings,
    res_partner,
    sms_template,
)
