"""The Qt-free heart of GeneDesk: every service the window and the command offer.

Nothing under this package imports PySide6 (an import-linter contract in pyproject.toml enforces it).
"""
