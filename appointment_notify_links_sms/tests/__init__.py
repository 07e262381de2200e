from . import test_sms_confirm
