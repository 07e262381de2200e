from . import test_sms_confirm
from . import test_sms_help
