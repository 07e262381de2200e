from . import test_manage_button
