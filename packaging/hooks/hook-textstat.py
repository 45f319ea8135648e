# textstat reads its easy-word lists (resources/<language>/easy_words.txt) with importlib.resources.
from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("textstat", includes=["resources/**/*.txt"])
