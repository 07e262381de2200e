from . import appointment_notify_message
from . import appointment_notify_mixin
from . import appointment_notify_sms_inbound
from . import calendar_event
from . import res_company
