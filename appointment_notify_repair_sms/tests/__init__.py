from . import test_install
from . import test_repair_sms
from . import test_manage_link
