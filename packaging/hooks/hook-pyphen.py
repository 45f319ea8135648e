# Replaces the contributed pyphen hook, which collects all ~70 hyphenation dictionaries (6 MB):
# only the languages GeneDesk writes in are kept (bundle_data.PYPHEN_LANGUAGES).
from bundle_data import pyphen_dictionary_kept
from PyInstaller.utils.hooks import collect_data_files

datas = [entry for entry in collect_data_files("pyphen") if pyphen_dictionary_kept(entry[0])]
