"""The web app's pages, read as files: what the browser tests can't prove for every line.

Names a user sets reach the DOM through ``textContent`` and attributes only, never through
an HTML parser; and the pages hold nothing inline that the Content-Security-Policy (no
``unsafe-inline``) would refuse, nor anything loaded from another site.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "src" / "pixlake" / "web" / "static"
VENDOR = STATIC / "vendor"


def own_files(suffix: str) -> list[Path]:
    """The app's own files of a kind (vendored ones are not written here)."""
    return sorted(path for path in STATIC.rglob(f"*{suffix}") if VENDOR not in path.parents)


HTML_SINKS = re.compile(
    r"\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\s*\(|new\s+Function\s*\("
    r"|setAttribute\(\s*[\"']style[\"']|\bcreateContextualFragment\b|DOMParser"
)


@pytest.mark.parametrize("script", own_files(".js"), ids=lambda path: path.name)
def test_scripts_never_parse_html_from_strings(script: Path) -> None:
    found = [
        f"{script.name}:{number}: {line.strip()}"
        for number, line in enumerate(script.read_text().splitlines(), start=1)
        if HTML_SINKS.search(line)
    ]
    assert not found, found


def test_the_app_has_scripts_pages_and_a_style_sheet() -> None:
    names = {path.relative_to(STATIC).as_posix() for path in STATIC.rglob("*")}
    assert {"index.html", "signin.html", "app.js", "app.css", "pages/gallery.js"} <= names


class _InlineFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' refuses, and what comes from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "style":
            self.found.append("a <style> element")
        if tag == "script":
            self._in_script = "src" not in named
        for name, value in attrs:
            if name == "style":
                self.found.append(f"a style attribute on <{tag}>")
            if name.startswith("on"):
                self.found.append(f"an {name} handler on <{tag}>")
            if name in ("src", "href", "action") and value and re.match(r"(?i)[a-z]+:|//", value):
                self.found.append(f"<{tag} {name}={value!r}> from another site")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("an inline script")


@pytest.mark.parametrize("page", own_files(".html"), ids=lambda path: path.name)
def test_pages_hold_nothing_inline_and_load_only_pixlake_files(page: Path) -> None:
    finder = _InlineFinder()
    finder.feed(page.read_text())
    assert not finder.found, finder.found


@pytest.mark.parametrize("script", own_files(".js"), ids=lambda path: path.name)
def test_scripts_import_only_the_apps_own_modules(script: Path) -> None:
    imports = re.findall(r"""^\s*import\s[^"']*["']([^"']+)["']""", script.read_text(), re.M)
    outside = [target for target in imports if not target.startswith(".")]
    assert not outside, outside
    for target in imports:
        assert (script.parent / target).resolve().is_file(), f"{script.name} imports {target}"


@pytest.mark.parametrize("sheet", own_files(".css"), ids=lambda path: path.name)
def test_style_sheets_load_nothing_from_elsewhere(sheet: Path) -> None:
    text = sheet.read_text()
    assert "@import" not in text
    assert not re.search(r"url\(\s*[\"']?(?:[a-z]+:|//)", text, re.I)
