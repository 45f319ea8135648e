"""What the bundle carries (packaging/bundle_data.py), checked against the real tree and the real
installed packages: no data file can silently miss the installed program."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pyphen
import PySide6

from support import REPO

RESOURCES = REPO / "resources"


def test_every_resource_file_is_shipped_or_deliberately_left_out(plan: ModuleType) -> None:
    unaccounted = plan.unaccounted_resources(RESOURCES)
    assert unaccounted == [], (
        "these files under resources/ are neither shipped nor listed as left out; add their "
        f"folder or pattern to RESOURCES or LEFT_OUT in packaging/bundle_data.py: {unaccounted}"
    )


def test_every_shipping_pattern_still_matches_a_file(plan: ModuleType) -> None:
    shipped = [path.relative_to(RESOURCES).as_posix() for path, _ in plan.shipped_resources(RESOURCES)]
    for folder, patterns in plan.RESOURCES:
        for pattern in patterns:
            matched = [name for name in shipped
                       if name.startswith(folder + "/")
                       and plan._matches(name[len(folder) + 1:], (pattern,))]
            assert matched, f"resources/{folder}/{pattern} matches no file: a stale entry"


def test_derivation_scripts_and_upstream_copies_stay_out(plan: ModuleType) -> None:
    shipped = {path for path, _ in plan.shipped_resources(RESOURCES)}
    scripts = set(RESOURCES.rglob("*.py"))
    assert scripts, "the resources folder has derivation scripts"
    assert not scripts & shipped
    assert not {p for p in shipped if "upstream" in p.parts}


def test_shipped_files_keep_their_place_under_resources(plan: ModuleType) -> None:
    # paths.resources_dir() is <bundle>/resources: every file must land at the same relative path.
    for path, target in plan.shipped_resources(RESOURCES):
        assert f"{target}/{path.name}" == "resources/" + path.relative_to(RESOURCES).as_posix()


def test_the_sample_vcf_and_fonts_are_shipped(plan: ModuleType) -> None:
    shipped = {path.relative_to(RESOURCES).as_posix() for path, _ in plan.shipped_resources(RESOURCES)}
    assert "samples/selftest.vcf" in shipped
    assert "fonts/LICENSE-DejaVu.txt" in shipped
    assert {name for name in shipped if name.startswith("fonts/") and name.endswith(".ttf")} == {
        "fonts/" + path.name for path in (RESOURCES / "fonts").glob("*.ttf")}


def test_every_schema_step_is_collected(plan: ModuleType) -> None:
    from genedesk.core.vault import schema

    folder, pattern, target = plan.MIGRATIONS
    collected = sorted((REPO / folder).glob(pattern))
    assert len(collected) == schema.LATEST == len(schema.STEPS)
    assert target == "genedesk/core/vault/migrations"  # where importlib.resources looks


def test_the_platform_plugins_a_desktop_needs_are_kept(plan: ModuleType) -> None:
    plugins = Path(PySide6.__file__).resolve().parent / "Qt" / "plugins"
    platforms = sorted((plugins / "platforms").iterdir()) if (plugins / "platforms").is_dir() else []
    if not platforms:  # Windows and macOS wheels keep the plugins elsewhere
        return
    kept = {path.name for path in platforms if plan.qt_plugin_kept(str(path))}
    dropped = {path.name for path in platforms} - kept
    assert any("qxcb" in name for name in kept)
    assert any("qoffscreen" in name for name in kept)  # the self-test draws on it
    assert any("qwayland" in name for name in kept)
    assert not any("qvnc" in name or "qeglfs" in name for name in kept)
    assert dropped


def test_the_gtk_theme_plugin_stays_out_and_the_portal_one_stays_in(plan: ModuleType) -> None:
    assert not plan.qt_plugin_kept("x/PySide6/Qt/plugins/platformthemes/libqgtk3.so")
    assert plan.qt_plugin_kept("x/PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so")
    assert plan.qt_plugin_kept("x/PySide6/Qt/plugins/imageformats/libqsvg.so")
    assert not plan.qt_plugin_kept("x/PySide6/Qt/plugins/imageformats/libqjpeg.so")
    assert plan.qt_plugin_kept("x/PySide6/Qt/lib/libQt6Gui.so.6")  # not a plugin


def test_the_on_screen_keyboard_and_the_system_print_stack_stay_out(plan: ModuleType) -> None:
    # Qt Quick (17 MB) comes only with the virtual keyboard; libcups must match the user's CUPS.
    assert not plan.qt_plugin_kept("x/PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so")
    assert plan.qt_plugin_kept("x/PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so")
    assert not plan.system_library_kept("libcups.so.2")
    assert not plan.system_library_kept("lib/libgnutls.so.30")
    assert plan.system_library_kept("PySide6/Qt/lib/libQt6PrintSupport.so.6")


def test_hyphenation_dictionaries_are_kept_for_the_languages_genedesk_writes(plan: ModuleType) -> None:
    dictionaries = sorted((Path(pyphen.__file__).resolve().parent / "dictionaries").glob("hyph_*.dic"))
    kept = {path.name for path in dictionaries if plan.pyphen_dictionary_kept(str(path))}
    assert "hyph_en_US.dic" in kept
    assert any(name.startswith("hyph_es") for name in kept)
    assert len(kept) < len(dictionaries) / 4


def test_qt_translations_follow_the_window_languages(plan: ModuleType) -> None:
    for language in ("de", "es", "fr"):
        path = f"PySide6/Qt/translations/qtbase_{language}.qm"
        assert plan.qt_translation_kept(path) == (language in plan.QT_TRANSLATION_LANGUAGES)


def test_keyring_backends_are_collected_with_their_metadata(plan: ModuleType) -> None:
    assert "keyring" in plan.METADATA
    assert "keyring.backends.SecretService" in plan.hidden_imports("linux")
    assert "keyring.backends.Windows" in plan.hidden_imports("win32")
    assert "keyring.backends.macOS" in plan.hidden_imports("darwin")


def test_build_requirements_are_pinned_by_hash() -> None:
    text = (REPO / "packaging" / "requirements-build.txt").read_text(encoding="utf-8")
    requirements = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", text, re.MULTILINE)
    names = {name.lower() for name, _ in requirements}
    assert {"pyinstaller", "pyinstaller-hooks-contrib"} <= names
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.split("\n", 2)[2])
    for block in blocks:
        if block.strip() and not block.startswith("#"):
            assert "--hash=sha256:" in block, f"no hash for {block.splitlines()[0]}"
    wanted = dict(re.findall(r"^([a-z-]+)==(\S+)", (REPO / "packaging" / "requirements-build.in")
                             .read_text(encoding="utf-8"), re.MULTILINE))
    locked = {name.lower(): version for name, version in requirements}
    for name, version in wanted.items():
        assert locked[name] == version, f"{name} in requirements-build.txt is not the pinned one"
