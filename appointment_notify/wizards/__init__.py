from . import appointment_notify_rule_copy
from . import appointment_notify_rule_test
