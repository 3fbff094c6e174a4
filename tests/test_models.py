"""The model registry (issue 12 items 1, 4 and 6): models, their numbered versions, tags,
the trash, and every bad input refused with nothing stored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pixlake import (
    BadRequestError,
    Client,
    ConflictError,
    Framework,
    InferenceType,
    Model,
    ModelVersion,
    NotFoundError,
    Target,
    TrashKind,
    WrongTargetError,
)
from pixlake.errors import LimitExceededError
from pixlake.limits import MAX_MODEL_LABELS

# Models


def test_create_get_list_update_a_model(client: Client) -> None:
    model = client.create_model(
        "detector", description="finds cats", type="OBJECT_DETECTION", framework=Framework.ONNX
    )
    assert isinstance(model, Model)
    assert (model.name, model.description) == ("detector", "finds cats")
    assert (model.type, model.framework) == (InferenceType.OBJECT_DETECTION, Framework.ONNX)
    bare = client.create_model("bare")
    assert (bare.description, bare.type, bare.framework) == (
        "",
        InferenceType.NOT_CONFIGURED,
        Framework.NOT_CONFIGURED,
    )
    assert client.get_model("detector") == model
    assert client.get_model_by_id(model.id).name == "detector"
    client.create_model("third")
    assert [m.name for m in client.list_models()] == ["detector", "bare", "third"]
    assert [m.name for m in client.list_models(limit=2)] == ["detector", "bare"]
    assert [m.name for m in client.list_models(limit=1, offset=1)] == ["bare"]
    assert [m.name for m in client.list_models(offset=2)] == ["third"]

    model.update(name="finder", framework="PYTORCH", type=InferenceType.SEGMENTATION)
    assert (model.name, model.framework, model.type) == (
        "finder",
        Framework.PYTORCH,
        InferenceType.SEGMENTATION,
    )
    assert model.description == "finds cats"  # what is not given stays
    again = client.get_model("finder")
    assert again.sync()["framework"] == "PYTORCH"
    with pytest.raises(NotFoundError, match="detector"):
        client.get_model("detector")


def test_versions_are_numbered_in_creation_order_and_named_after_their_number(
    client: Client,
) -> None:
    model = client.create_model("detector", type="CLASSIFICATION", framework="KERAS")
    first = model.create_version(labels={"0": "cat", "1": "dog"}, base_parameters={"lr": 0.01})
    best = model.create_version(
        name="best",
        type=InferenceType.OBJECT_DETECTION,
        framework=Framework.TENSORFLOW,
        description="after tuning",
    )
    third = model.create_version()
    assert isinstance(first, ModelVersion)
    assert [(v.version, v.name) for v in (first, best, third)] == [
        (1, "1"),
        (2, "best"),
        (3, "3"),
    ]
    assert first.model_id == model.id
    assert first.labels == {"0": "cat", "1": "dog"}
    assert first.base_parameters == {"lr": 0.01}
    # The model's type and framework unless the version says otherwise.
    assert (first.type, first.framework) == (InferenceType.CLASSIFICATION, Framework.KERAS)
    assert (best.type, best.framework) == (InferenceType.OBJECT_DETECTION, Framework.TENSORFLOW)
    assert best.description == "after tuning"
    assert first.created_at <= best.created_at

    assert model.get_version(2) == best
    assert model.get_version("best") == best
    assert model.get_version("1") == first  # a name, which defaults to the number
    assert model.get_version_by_id(third.id).version == 3
    assert client.get_model_version_by_id(best.id) == best
    assert model.list_versions() == [first, best, third]
    with pytest.raises(NotFoundError):
        model.get_version(4)
    with pytest.raises(NotFoundError):
        model.get_version("worst")

    # A number is never given twice, even once its version is deleted.
    third.delete()
    assert model.create_version().version == 4


def test_versions_created_at_once_get_different_numbers(client: Client) -> None:
    model = client.create_model("detector")
    with ThreadPoolExecutor(max_workers=4) as pool:
        made = list(pool.map(lambda _: model.create_version(), range(8)))
    assert sorted(v.version for v in made) == list(range(1, 9))
    assert all(v.name == str(v.version) for v in made)
    assert [v.version for v in model.list_versions()] == list(range(1, 9))


def test_labels_given_with_integer_indexes_are_stored_as_text(client: Client) -> None:
    version = client.create_model("m").create_version(labels={0: "cat", 1: "dog"})
    assert version.labels == {"0": "cat", "1": "dog"}


def test_update_and_sync_a_version(client: Client) -> None:
    model = client.create_model("detector")
    version = model.create_version(labels={"0": "cat"}, base_parameters={"epochs": 3})
    version.update(
        name="release",
        labels={"0": "cat", "1": "dog"},
        base_parameters={"epochs": 10, "optimizer": {"name": "adam"}},
        framework="ONNX",
        type="CLASSIFICATION",
        description="shipped",
    )
    seen = model.get_version("release")
    assert seen.labels == {"0": "cat", "1": "dog"}
    assert seen.base_parameters == {"epochs": 10, "optimizer": {"name": "adam"}}
    assert (seen.framework, seen.type, seen.description) == (
        Framework.ONNX,
        InferenceType.CLASSIFICATION,
        "shipped",
    )
    assert seen.version == 1  # renaming keeps the number
    version.update(description="again")
    assert seen.description == "shipped"  # as last seen, until synced
    assert seen.sync()["description"] == "again"
    assert seen.description == "again"
    assert seen.labels == {"0": "cat", "1": "dog"}


def test_two_models_number_their_versions_each_from_one(client: Client) -> None:
    one, two = client.create_model("one"), client.create_model("two")
    one.create_version()
    one.create_version()
    assert two.create_version().version == 1
    with pytest.raises(NotFoundError):
        two.get_version_by_id(one.get_version(1).id)


# Tags


def test_tags_on_models_and_versions(client: Client) -> None:
    model = client.create_model("detector")
    other = client.create_model("other")
    version = model.create_version()
    model.add_tags(["prod", "vision"])
    other.add_tags("vision")
    version.add_tags(client.create_tag("best", Target.MODEL_VERSION))
    assert [t.name for t in model.get_tags()] == ["prod", "vision"]
    assert [t.name for t in version.get_tags()] == ["best"]
    assert client.get_tag("prod", Target.MODEL).target is Target.MODEL
    assert [m.name for m in client.list_models(tags="prod")] == ["detector"]
    assert [m.name for m in client.list_models(tags=["vision"])] == ["detector", "other"]
    assert [m.name for m in client.list_models(tags=client.get_tag("prod", "MODEL"))] == [
        "detector"
    ]
    model.remove_tags("prod")
    assert [t.name for t in model.get_tags()] == ["vision"]
    assert client.list_models(tags="prod") == []
    with pytest.raises(NotFoundError, match="nope"):
        client.list_models(tags="nope")


def test_a_tag_of_the_wrong_target(client: Client) -> None:
    model = client.create_model("detector")
    version = model.create_version()
    dataset_tag = client.create_tag("shared", Target.DATASET)
    version_tag = client.create_tag("best", Target.MODEL_VERSION)
    for refused in (
        lambda: model.add_tags(dataset_tag),
        lambda: model.add_tags(version_tag),
        lambda: version.add_tags(client.create_tag("m", Target.MODEL)),
        lambda: client.list_models(tags=version_tag),
    ):
        with pytest.raises(WrongTargetError):
            refused()
    # Through the API itself, past the SDK's own check.
    with pytest.raises(WrongTargetError):
        client._connection.request(
            "POST",
            "/tags/attach",
            json={
                "target": "MODEL",
                "object_ids": [str(model.id)],
                "tag_ids": [str(version_tag.id)],
            },
        )
    assert model.get_tags() == [] and version.get_tags() == []


# Bad input: refused, nothing stored


def test_duplicate_model_name(client: Client) -> None:
    client.create_model("detector")
    with pytest.raises(ConflictError, match="detector") as refused:
        client.create_model("detector")
    assert refused.value.details == {"name": "detector"}
    other = client.create_model("other")
    with pytest.raises(ConflictError, match="detector"):
        other.update(name="detector")
    assert [m.name for m in client.list_models()] == ["detector", "other"]


def test_a_version_name_used_twice_in_one_model(client: Client) -> None:
    model = client.create_model("detector")
    model.create_version(name="best")
    with pytest.raises(ConflictError, match="best") as refused:
        model.create_version(name="best")
    assert refused.value.details == {"name": "best"}
    second = model.create_version()
    with pytest.raises(ConflictError, match="best"):
        second.update(name="best")
    # The refused creation took no number: nothing of it was stored.
    assert [(v.version, v.name) for v in model.list_versions()] == [(1, "best"), (2, "2")]


BAD_LABELS: dict[str, Any] = {
    "a name as a key": {"cat": "cat"},
    "a negative index": {"-1": "cat"},
    "a leading zero": {"01": "cat"},
    "a fractional index": {"1.5": "cat"},
    "an empty label name": {"0": ""},
    "a blank label name": {"0": "  "},
    "a label name that is not text": {"0": 3},
    "a list": ["cat", "dog"],
    "text": "cat",
}


@pytest.mark.parametrize("labels", BAD_LABELS.values(), ids=BAD_LABELS.keys())
def test_labels_that_are_not_class_indexes_to_names(client: Client, labels: Any) -> None:
    model = client.create_model("detector")
    with pytest.raises(BadRequestError, match="labels"):
        model.create_version(labels=labels)
    version = model.create_version(labels={"0": "cat"})
    with pytest.raises(BadRequestError, match="labels"):
        version.update(labels=labels)
    assert [v.labels for v in model.list_versions()] == [{"0": "cat"}]


def test_too_many_labels(client: Client) -> None:
    model = client.create_model("detector")
    labels = {str(index): f"class {index}" for index in range(MAX_MODEL_LABELS + 1)}
    with pytest.raises(LimitExceededError) as refused:
        model.create_version(labels=labels)
    assert refused.value.details["limit"] == "max_model_labels"
    assert model.list_versions() == []


def test_base_parameters_must_be_plain_json(client: Client) -> None:
    model = client.create_model("detector")
    with pytest.raises(BadRequestError, match="base_parameters"):
        client._connection.request(
            "POST", f"/models/{model.id}/versions", json={"base_parameters": ["not", "a", "map"]}
        )
    assert model.list_versions() == []


def test_a_bad_model_type_or_framework(client: Client) -> None:
    with pytest.raises(BadRequestError, match="GARBAGE"):
        client.create_model("detector", framework="GARBAGE")
    with pytest.raises(BadRequestError, match="GARBAGE"):
        client.create_model("detector", type="GARBAGE")
    assert client.list_models() == []


def test_any_write_to_a_deleted_model(client: Client) -> None:
    model = client.create_model("detector")
    version = model.create_version()
    model.delete()
    for write in (
        lambda: model.update(description="late"),
        lambda: model.create_version(),
        lambda: model.add_tags("late"),
        lambda: model.delete(),
        lambda: version.update(description="late"),
        lambda: version.add_tags("late"),
        lambda: version.delete(),
    ):
        with pytest.raises(NotFoundError):
            write()
    assert client.list_tags() == []  # the refused tagging created no tag
    client.restore_from_trash([model.id])
    assert model.list_versions() == [version]
    assert model.sync()["description"] == ""


def test_another_organizations_models_answer_404(client: Client, other_client: Client) -> None:
    model = client.create_model("detector")
    version = model.create_version(labels={"0": "cat"})
    assert other_client.list_models() == []
    with pytest.raises(NotFoundError):
        other_client.get_model("detector")
    with pytest.raises(NotFoundError):
        other_client.get_model_by_id(model.id)
    forged_model = Model(other_client._connection, model._schema)
    forged_version = ModelVersion(other_client._connection, version._schema)
    for attempt in (
        forged_model.sync,
        lambda: forged_model.update(description="theirs"),
        forged_model.delete,
        forged_model.create_version,
        forged_model.list_versions,
        lambda: forged_model.get_version(1),
        lambda: forged_model.get_version_by_id(version.id),
        lambda: forged_model.add_tags("theirs"),
        forged_model.get_tags,
        forged_version.sync,
        lambda: forged_version.update(description="theirs"),
        forged_version.delete,
        lambda: forged_version.add_tags("theirs"),
        forged_version.get_tags,
        forged_version.list_attached_dataset_versions,
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert other_client.list_trash() == []
    assert model.sync()["description"] == "" and version.sync()["labels"] == {"0": "cat"}
    other_client.create_model("detector")  # names are per organization


# The trash


def test_a_deleted_model_hides_its_versions_until_restored(client: Client) -> None:
    model = client.create_model("detector")
    version = model.create_version()
    version.add_tags("best")
    model.add_tags("prod")
    model.delete()
    [item] = client.list_trash()
    assert (item.kind, item.id, item.name, item.parent_id) == (
        TrashKind.MODEL,
        model.id,
        "detector",
        None,
    )
    assert client.list_models() == []
    assert client.list_models(tags="prod") == []
    with pytest.raises(NotFoundError):
        client.get_model("detector")
    for read in (version.sync, version.get_tags, model.list_versions, model.get_tags):
        with pytest.raises(NotFoundError):
            read()
    # The name is free while the model is in the trash, so its restore then conflicts.
    taken = client.create_model("detector")
    with pytest.raises(ConflictError):
        client.restore_from_trash([model.id])
    taken.delete()
    assert client.restore_from_trash([model.id]) == 1
    assert client.get_model("detector") == model
    assert model.list_versions() == [version]
    assert [t.name for t in version.get_tags()] == ["best"]
    assert client.list_models(tags="prod") == [model]


def test_a_deleted_version_goes_to_the_trash(client: Client) -> None:
    model = client.create_model("detector")
    first = model.create_version(name="best")
    second = model.create_version()
    first.delete()
    [item] = client.list_trash(TrashKind.MODEL_VERSION)
    assert (item.id, item.name, item.parent_id) == (first.id, "detector/best", model.id)
    assert model.list_versions() == [second]
    with pytest.raises(NotFoundError):
        model.get_version("best")
    with pytest.raises(NotFoundError):
        first.sync()
    replacement = model.create_version(name="best")  # the name is free again
    with pytest.raises(ConflictError):
        client.restore_from_trash([first.id])
    replacement.update(name="replacement")
    assert client.restore_from_trash([first.id]) == 1
    assert [(v.version, v.name) for v in model.list_versions()] == [
        (1, "best"),
        (2, "2"),
        (3, "replacement"),
    ]
