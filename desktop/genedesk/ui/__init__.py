"""The PySide6 face of GeneDesk: windows, item models, dialogs and patient mode."""
