"""What goes into the GeneDesk bundle, declared once: read by genedesk.spec and by the tests.

Standard library only (the spec runs it inside PyInstaller; the tests import it from the repo).

Every file under resources/ is either shipped (RESOURCES) or deliberately left out (LEFT_OUT):
derivation scripts and the upstream copies they read stay in the repository. The test
tests/packaging/test_bundle_plan.py fails when a file is neither, so new data cannot silently
miss the installed program — add its folder or pattern here when you add data.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

# (folder under resources/, patterns of the files shipped from it, relative to that folder).
RESOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fonts", ("*.ttf", "LICENSE-DejaVu.txt", "SOURCES.tsv")),
    ("knowledge/acmg", ("*.json", "SOURCES.md")),
    ("knowledge/genes", ("genes.tsv", "gene_conditions.tsv", "SOURCES.md")),
    ("knowledge/explanations", ("*.json", "*.tsv", "*/*.json", "SOURCES.md")),
    ("pgx", ("*.json", "SOURCES.md", "alleles/*.json", "phenotypes/*.json")),
    ("reports", ("*/*.json",)),
    ("ui", ("*/*.json",)),  # words the window shows (patient mode), one folder per language
    ("consent", ("*.json", "forms/*/*/*.txt", "SOURCES.md")),
    ("genomics", ("reference_builds.json", "SOURCES.md")),
    ("samples", ("*.vcf", "README.md")),
)
# (Each folder's SOURCES file ships with its data: where the facts came from travels with them.)

# Files under resources/ that stay out of the program, and why.
LEFT_OUT: tuple[tuple[str, str], ...] = (
    ("*/derive_*.py", "scripts that derive the data from its named sources"),
    ("*/*/derive_*.py", "scripts that derive the data from its named sources"),
    ("samples/make_*.py", "the script that writes the sample VCF"),
    ("*/upstream/*", "upstream copies the derivations read"),
    ("*/upstream/*/*", "upstream copies the derivations read"),
    ("knowledge/genes/sources/*", "upstream copies the derivations read"),
    ("fonts/fetch-fonts.sh", "fetches the fonts from their Debian package"),
    ("fonts/README.md", "repository notes"),
    ("reports/README.md", "repository notes"),
    (".gitattributes", "git settings"),
    ("*/.gitattributes", "git settings"),
    ("*/*/.gitattributes", "git settings"),
)

# The vault's schema steps: read with importlib.resources from the package, not from resources/.
MIGRATIONS = ("desktop/genedesk/core/vault/migrations", "*.sql", "genedesk/core/vault/migrations")

# Python distributions whose metadata the program reads at run time: keyring finds its backends
# through its entry points, and without them silently falls back to its fail backend. (Libraries
# that need their metadata or data only once imported have a hook in packaging/hooks/.)
METADATA = ("keyring",)

# Modules never imported directly that must still be in the bundle.
HIDDEN_IMPORTS_BY_PLATFORM: dict[str, tuple[str, ...]] = {
    # keyring loads its backends by name from the entry points above.
    "all": ("keyring.backends.chainer", "keyring.backends.fail", "keyring.backends.null",
            "importlib_metadata"),
    "linux": ("keyring.backends.SecretService", "keyring.backends.kwallet", "secretstorage",
              "jeepney", "jeepney.io.blocking"),
    "win32": ("keyring.backends.Windows", "win32ctypes.pywin32.win32cred",
              "win32ctypes.pywin32.pywintypes"),
    "darwin": ("keyring.backends.macOS", "keyring.backends.macOS.api"),
}

# Qt modules GeneDesk does not use. PySide6-Essentials ships some of them and the Qt hooks would
# otherwise follow links between them (QtNetwork → QtQml → QtQuick …) into the bundle.
QT_EXCLUDED = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtBluetooth", "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDesigner", "QtGraphs",
    "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLocation", "QtMultimedia",
    "QtMultimediaWidgets", "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtOpenGLWidgets",
    "QtPositioning", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickWidgets",
    "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus", "QtSerialPort", "QtSpatialAudio",
    "QtSql", "QtStateMachine", "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel",
    "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets", "QtWebView",
    "QtXml", "QtAxContainer",
)

# Python modules that are never part of the running program. Pillow is in only because reportlab
# imports it for pictures in PDFs (GeneDesk's reports have none: signatures are PNG bytes stored
# as they came); its AVIF and WebP codecs (libavif 5 MB, libwebp 1 MB), colour management
# (lcms2) and Tk and Qt bridges are not. setuptools and distutils are build tools that the
# build venv happens to hold; nothing imports them at run time.
PYTHON_EXCLUDED = (
    "tkinter", "_tkinter", "pytest", "pytestqt", "hypothesis", "mypy", "ruff", "importlinter",
    "pypdf", "IPython", "matplotlib", "pydoc_data", "lib2to3",
    "PIL._avif", "PIL.AvifImagePlugin", "PIL.ImageQt", "PIL.ImageTk", "PIL._imagingtk",
    "PIL._webp", "PIL.WebPImagePlugin", "PIL._imagingcms", "PIL.ImageCms",
    "setuptools", "distutils", "_distutils_hack", "pkg_resources",
)

# Qt plugins left out, by kind, with why. PyInstaller's Qt hooks collect every plugin of each kind a
# module might use; the hooks in packaging/hooks/ drop these before their libraries are analysed,
# so the libraries only they need stay out too. Kinds not named here are kept whole.
QT_PLUGINS_DROPPED: dict[str, tuple[tuple[str, ...], str]] = {
    "platforms": (("*qeglfs*", "*qlinuxfb*", "*qminimal*", "*qvkkhrdisplay*", "*qvnc*"),
                  "kiosk and embedded screens; a desktop uses xcb, wayland, windows or cocoa "
                  "(and offscreen for the self-test)"),
    "platformthemes": (("*qgtk3*",),
                       "pulls the build machine's GTK 3 stack (libgtk-3 and ~35 libraries) into the "
                       "bundle, where it must then match the user's; the xdg-desktop-portal theme "
                       "stays"),
    "generic": (("*",), "evdev and TUIO input, used only by the kiosk platforms"),
    "egldeviceintegrations": (("*",), "for the kiosk platform eglfs"),
    "networkinformation": (("*",), "GeneDesk makes no network connections"),
    "tls": (("*",), "GeneDesk makes no network connections"),
    "networkaccess": (("*",), "GeneDesk makes no network connections"),
    "imageformats": (("*qgif*", "*qicns*", "*qjpeg*", "*qtga*", "*qtiff*", "*qwbmp*", "*qwebp*",
                      "*qpdf*"),
                     "the window shows only PNG (built into Qt: signatures) and SVG/ICO theme "
                     "icons (reports are drawn by QtPdf itself, not as images)"),
    "platforminputcontexts": (("*qtvirtualkeyboard*",),
                              "Qt's on-screen keyboard (from PySide6-Addons) is drawn with Qt Quick "
                              "and QML (17 MB); desktops bring their own input methods"),
}

# Qt's own translations (standard buttons and dialogs) by language; the window does not load
# them yet. Name a language here when the window is translated into it.
QT_TRANSLATION_LANGUAGES: tuple[str, ...] = ()

# pyphen's hyphenation dictionaries (textstat counts syllables with them) for the languages GeneDesk
# writes in: English now, Spanish next.
PYPHEN_LANGUAGES = ("en", "es")

# Libraries of the build machine that the bundle must not carry, with why. Qt's CUPS print plugin
# links the system's libcups, which brings GnuTLS, Avahi and their helpers (~7.5 MB). Like the
# GTK theme, libcups has to match the user's own print system, and every desktop Linux has it;
# where it is missing the plugin does not load and Qt still prints to PDF.
SYSTEM_LIBRARIES_LEFT_OUT: tuple[tuple[str, ...], str] = (
    ("libcups.so.2", "libgnutls.so.30", "libp11-kit.so.0", "libunistring.so.2", "libgmp.so.10",
     "libnettle.so.8", "libhogweed.so.6", "libtasn1.so.6", "libidn2.so.0",
     "libavahi-client.so.3", "libavahi-common.so.3"),
    "the system's print stack (CUPS): it must match the user's printers and print server",
)

SIZE_LIMIT_MB = 250


def _matches(relative: str, patterns: tuple[str, ...]) -> bool:
    """Glob match segment by segment: `*` never crosses a `/` (unlike fnmatch on a whole path)."""
    parts = relative.split("/")
    for pattern in patterns:
        wanted = pattern.split("/")
        if len(wanted) == len(parts) and all(map(fnmatchcase, parts, wanted)):
            return True
    return False


def shipped_resources(resources: Path) -> list[tuple[Path, str]]:
    """(file, folder inside the bundle) for every resource file shipped, in a stable order."""
    shipped: list[tuple[Path, str]] = []
    for folder, patterns in RESOURCES:
        base = resources / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(base).as_posix()
            if path.is_file() and _matches(relative, patterns):
                target = (Path("resources") / path.parent.relative_to(resources)).as_posix()
                shipped.append((path, target))
    return shipped


def left_out_reason(relative: str) -> str | None:
    """Why a file (path relative to resources/) is deliberately not shipped, or None."""
    for pattern, reason in LEFT_OUT:
        if _matches(relative, (pattern,)):
            return reason
    return None


def unaccounted_resources(resources: Path) -> list[str]:
    """Files under resources/ that are neither shipped nor deliberately left out."""
    shipped = {path for path, _ in shipped_resources(resources)}
    return [
        path.relative_to(resources).as_posix()
        for path in sorted(resources.rglob("*"))
        if path.is_file()
        and path not in shipped
        and left_out_reason(path.relative_to(resources).as_posix()) is None
    ]


def qt_modules_excluded(namespace: str = "PySide6") -> list[str]:
    return [f"{namespace}.{name}" for name in QT_EXCLUDED]


def hidden_imports(platform: str) -> list[str]:
    key = "win32" if platform.startswith("win") else platform
    return [*HIDDEN_IMPORTS_BY_PLATFORM["all"], *HIDDEN_IMPORTS_BY_PLATFORM.get(key, ())]


def qt_plugin_kept(path: str) -> bool:
    """Whether a file the Qt hooks collect (a path ending .../plugins/<kind>/<file>) stays."""
    parts = path.replace("\\", "/").split("/")
    if len(parts) < 3 or parts[-3] != "plugins":
        return True
    dropped = QT_PLUGINS_DROPPED.get(parts[-2])
    return dropped is None or not any(fnmatchcase(parts[-1], pattern) for pattern in dropped[0])


def system_library_kept(path: str) -> bool:
    """Whether a library PyInstaller found on the build machine stays in the bundle."""
    return path.replace("\\", "/").rsplit("/", 1)[-1] not in SYSTEM_LIBRARIES_LEFT_OUT[0]


def qt_translation_kept(path: str) -> bool:
    """Whether a Qt translation file (…/translations/qtbase_de.qm) stays in the bundle."""
    parts = path.replace("\\", "/").split("/")
    if len(parts) < 2 or parts[-2] != "translations" or not parts[-1].endswith(".qm"):
        return True
    language = parts[-1][:-3].split("_", 1)[-1]
    return language.split("_")[0] in QT_TRANSLATION_LANGUAGES


def pyphen_dictionary_kept(path: str) -> bool:
    """Whether a pyphen dictionary (…/dictionaries/hyph_en_US.dic) stays in the bundle."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if not (name.startswith("hyph_") and name.endswith(".dic")):
        return True
    return name[len("hyph_"):].split("_")[0].split(".")[0] in PYPHEN_LANGUAGES


Collected = list[tuple[str, str]]


def trim_qt_collection(binaries: Collected, datas: Collected) -> tuple[Collected, Collected]:
    """A Qt hook's (source, destination) lists less the plugins and translations left out."""
    return ([entry for entry in binaries if qt_plugin_kept(entry[0])],
            [entry for entry in datas if qt_plugin_kept(entry[0]) and qt_translation_kept(entry[0])])


MANIFEST_NAME = "genedesk-manifest.json"


def manifest(datas: Collected) -> str:
    """The data files of the bundle with their SHA-256, as JSON: `genedesk --self-test` checks
    an installed program against it (a partial copy, a file a virus scanner took away)."""
    import hashlib
    import json

    files = {f"{target}/{Path(source).name}": hashlib.sha256(Path(source).read_bytes()).hexdigest()
             for source, target in datas}
    return json.dumps({"format": "genedesk-manifest 1", "files": dict(sorted(files.items()))},
                      indent=1) + "\n"
