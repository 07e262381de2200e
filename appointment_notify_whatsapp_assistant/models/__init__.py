from . import res_company
from . import res_config_settings
from . import appointment_notify_assistant_session
