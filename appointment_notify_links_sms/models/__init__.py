from . import appointment_notify_sms_inbound
