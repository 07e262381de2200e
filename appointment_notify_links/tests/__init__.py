from . import test_manage_links
