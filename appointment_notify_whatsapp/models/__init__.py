from . import (
    appointment_notify_message,
    appointment_notify_rule,
    appointment_notify_whatsapp_inbound,
    appointment_notify_whatsapp_template,
    appointment_notify_whatsapp_template_variable,
    res_company,
    res_config_settings,
    res_partner,
)
