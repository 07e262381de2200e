from . import test_manage_links
from . import test_manage_tour
