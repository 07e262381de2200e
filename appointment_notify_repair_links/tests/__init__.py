from . import test_repair_status_page
