"""``Settings`` reads ``PIXLAKE_<NAME>`` variables: a value given wins over the variable,
the variable over the default, names in any case, texts validated as the field's type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from pixlake.setting_specs import spec_of
from pixlake.settings import Settings


def test_a_variable_sets_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXLAKE_MAX_FILE_SIZE", "12345")
    monkeypatch.setenv("PIXLAKE_WORKSPACE", "/tmp/somewhere")
    settings = Settings()
    assert settings.max_file_size == 12345
    assert settings.workspace == Path("/tmp/somewhere")


def test_a_value_given_wins_over_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXLAKE_MAX_FILE_SIZE", "12345")
    assert Settings(max_file_size=7).max_file_size == 7


def test_without_a_variable_the_default_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIXLAKE_SESSION_HOURS", raising=False)
    assert Settings().session_hours == spec_of("session_hours").default


def test_a_variable_name_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("pixlake_compat_api", "false")
    assert Settings().compat_api is False


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("1", True), ("off", False)])
def test_a_variable_text_is_validated_as_its_type(
    monkeypatch: pytest.MonkeyPatch, text: str, expected: bool
) -> None:
    monkeypatch.setenv("PIXLAKE_COMPAT_API", text)
    assert Settings().compat_api is expected


def test_a_variable_of_the_wrong_type_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PIXLAKE_MAX_FILE_SIZE", "big")
    with pytest.raises(ValidationError, match="max_file_size"):
        Settings()


def test_a_variable_out_of_bounds_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXLAKE_MAX_IDEMPOTENCY_KEY_LENGTH", "256")
    with pytest.raises(ValidationError, match="max_idempotency_key_length"):
        Settings()


def test_other_pixlake_variables_and_unknown_names_are_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PIXLAKE_NO_SUCH_SETTING", "x")
    monkeypatch.setenv("PIXLAKE_API_TOKEN", "a token the SDK reads, not a setting")
    assert Settings(no_such_setting=1).max_file_size == spec_of("max_file_size").default


def test_defaults_have_their_field_type() -> None:
    assert isinstance(Settings().home, Path)


def test_reading_the_settings_imports_no_settings_package() -> None:
    """The variables are read by pixlake itself: pydantic-settings is not imported."""
    code = (
        "import sys; from pixlake.settings import Settings; Settings(); "
        "print('pydantic_settings' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
