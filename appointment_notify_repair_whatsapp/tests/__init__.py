from . import test_install
from . import test_repair_whatsapp
from . import test_migration
