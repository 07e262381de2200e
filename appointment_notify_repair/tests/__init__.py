from . import test_install
from . import test_repair_notify
from . import test_tours
from . import test_i18n
from . import test_form_of_address
from . import test_quick_setup
from . import test_migration
