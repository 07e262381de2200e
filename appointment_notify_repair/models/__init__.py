from . import appointment_notify_rule
from . import repair_order
