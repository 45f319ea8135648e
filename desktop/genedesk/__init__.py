"""GeneDesk: genetic test results, plain-language reports and patient consent, on one PC."""

APP_NAME = "GeneDesk"
__version__ = "0.1.0"
