from . import appointment_notify_quick_setup
from . import appointment_notify_rule_copy
from . import appointment_notify_rule_test
from . import calendar_popover_delete_wizard
