"""The settings' table (read by ``pixlake serve --help`` without pydantic) and the
``Settings`` class (read by everything else) say the same of every setting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pixlake.setting_specs import SETTING_SPECS
from pixlake.settings import Settings


def test_the_class_has_one_field_per_entry_in_the_same_order() -> None:
    assert list(Settings.model_fields) == [spec.name for spec in SETTING_SPECS]


def test_each_field_has_its_entry_type_default_bounds_and_help() -> None:
    for spec in SETTING_SPECS:
        field = Settings.model_fields[spec.name]
        assert field.annotation == (spec.kind | None if spec.optional else spec.kind), spec.name
        assert field.default == spec.default, spec.name
        assert field.description == spec.description, spec.name
        bounds = {
            name: value
            for item in field.metadata
            for name in ("ge", "gt", "le")
            if (value := getattr(item, name, None)) is not None
        }
        declared = {name: getattr(spec, name) for name in ("ge", "gt", "le")}
        assert bounds == {k: v for k, v in declared.items() if v is not None}, spec.name


def test_a_bound_of_the_table_is_enforced() -> None:
    with pytest.raises(ValidationError, match="max_idempotency_key_length"):
        Settings(max_idempotency_key_length=256)
