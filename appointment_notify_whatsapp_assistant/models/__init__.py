from . import res_company
from . import res_config_settings
from . import appointment_notify_assistant_session
from . import appointment_notify_whatsapp_inbound
from . import appointment_notify_message
from . import res_partner
from . import calendar_event
