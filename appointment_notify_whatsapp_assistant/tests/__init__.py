from . import test_when_parser
