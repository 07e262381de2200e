from . import calendar_event
from . import calendar_recurrence
from . import res_company
from . import res_config_settings
