# Replaces PyInstaller's hook for PySide6.QtNetwork: the same collection, less the Qt plugins and
# translations GeneDesk leaves out (packaging/bundle_data.py says which and why). Dropping them
# here, before PyInstaller analyses the plugins' libraries, keeps those libraries out too.
from bundle_data import trim_qt_collection
from PyInstaller.utils.hooks.qt import add_qt6_dependencies, pyside6_library_info

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries += pyside6_library_info.collect_qtnetwork_files()
binaries, datas = trim_qt_collection(binaries, datas)
