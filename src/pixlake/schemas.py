"""Wire models: the JSON the API speaks, defined once for the server and the SDK.

Families follow one pattern per resource: ``XCreate`` (what a client sends to make one),
``XUpdate`` (what it may change), ``XPublic`` (what the API answers).
"""

from __future__ import annotations

from copy import copy, deepcopy
from datetime import datetime
from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    field_validator,
    model_validator,
)

from pixlake.enums import (
    AnnotationFileType,
    AnnotationStatus,
    DataType,
    Framework,
    InferenceType,
    Role,
    ShapeKind,
    Target,
    TrashKind,
)
from pixlake.errors import BadRequestError
from pixlake.limits import (
    MAX_DOWNLOAD_BUNDLE,
    MAX_IDS_PER_REQUEST,
    MAX_LOCAL_PATHS_PER_REQUEST,
    MAX_MODEL_LABELS,
    MAX_NAME_LENGTH,
    MAX_SHAPES_PER_REQUEST,
    MAX_SPLIT_PARTS,
    MAX_TAGS_PER_REQUEST,
    MAX_TEXT_LENGTH,
    OFFSET_BOUND,
)
from pixlake.shapes import MIN_POINTS
from pixlake.split_ratios import normalise_ratios
from pixlake.validation import check_json, check_text

MAX_PAGE_SIZE = 5000
"""The most items one page of a listing (data, assets, annotations) holds; the SDK pages
through longer listings by key. Rows are small and listed by the hundred thousand, so pages
are large: 5,000 rather than 1,000 per page took listing 100,000 data, embedded, from about
1.7 to 1.2 s."""

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""The request header that makes a bulk write safe to retry (see docs/retries.md)."""
REPLAYED_HEADER = "Idempotent-Replayed"
"""Set (to ``true``) on an answer given again to a retry rather than made afresh."""
NEXT_AFTER_HEADER = "Pixlake-Next-After"
"""On a page of a listing that has a next page: that page's key, as in the body's
``next_after``. A client can ask for the next page before it decodes this one (a page that
has a next one holds as many items as were asked for)."""


# "Some character that is not whitespace, and no NUL", for the document. Python's strip()
# also takes U+001C-U+001F and U+0085 for whitespace, which a regex's \s may not: they are
# named, so that what the document allows the validator accepts.
_NOT_BLANK_PATTERN = r"^[^\u0000]*[^\s\u0000\u001c-\u001f\u0085][^\u0000]*$"


def _not_blank(value: str) -> str:
    # A blank name shows as nothing in a listing and can't be told from another blank one.
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


Name = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        # in the document; the validator says why in its own words
        json_schema_extra={"pattern": _NOT_BLANK_PATTERN},
    ),
    AfterValidator(_not_blank),
]
"""The name a person gives a datalake, dataset, version, tag or label."""


def _json_integer(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    return value  # pydantic then takes 3.0 as 3 and refuses 3.5


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
"""An integer as JSON Schema means it: ``3`` or ``3.0``, never ``true`` or ``"3"``.

Numbers and flags a client sends are typed strictly (JsonInt, StrictBool, StrictFloat):
``"limit": true`` or ``"everything": 0`` is a mistake to point out, not a value to guess at.
pydantic's StrictInt would refuse ``3.0`` too, which the API's document (JSON Schema)
calls an integer; a float field still takes an integer."""


class WireModel(BaseModel):
    # NaN and infinities are refused everywhere: no coordinate or duration can be one.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)

    @model_validator(mode="after")
    def _storable_text(self) -> Self:
        """Every text of every model, alone or in a list, is one both databases store:
        no NUL, no lone surrogate (see ``check_text``). Models built with ``trusted``
        (our own rows) skip it. One check per model rather than per field: a request
        holds up to 20,000 shapes."""
        for name, value in self.__dict__.items():
            if type(value) is str:
                check_text(value, name)
            elif type(value) is list and value and type(value[0]) is str:
                for index, item in enumerate(value):
                    if type(item) is str:
                        check_text(item, f"{name}[{index}]")
        return self

    def answer(self) -> Self:
        """This model, once it has been written as JSON (and thrown away): a service
        calls it inside its write transaction, so that an answer that can't be written
        fails before the commit, never after it."""
        self.__pydantic_serializer__.to_json(self)
        return self

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """An instance built without validation, from values that are already of the right
        types (rows of our own database, pages the API just sent).

        Bulk paths build hundreds of thousands of these: skipping validation (and the
        generic ``model_construct``) cuts their cost several times, and one shared
        fields-set per class saves kilobytes per instance. Fields not given take their
        defaults.
        """
        return cls.trusted_from(values)

    @classmethod
    def trusted_from(cls, values: dict[str, Any]) -> Self:
        """``trusted`` taking ``values`` itself as the instance's fields, without a copy:
        the caller hands the dict over and must not use it again."""
        fields, defaults = _shape_of(cls)
        if len(values) != len(fields):
            values = {**{k: copy(v) for k, v in defaults.items() if k not in values}, **values}
        instance = cls.__new__(cls)
        _set = object.__setattr__
        _set(instance, "__dict__", values)
        _set(instance, "__pydantic_fields_set__", fields)
        _set(instance, "__pydantic_extra__", None)
        _set(instance, "__pydantic_private__", None)
        return instance


_SHAPES: dict[type, tuple[set[str], dict[str, Any]]] = {}


def _shape_of(cls: type[BaseModel]) -> tuple[set[str], dict[str, Any]]:
    """A model's field names (one shared set) and the defaults of its optional fields."""
    shape = _SHAPES.get(cls)
    if shape is None:
        defaults = {
            name: field.get_default(call_default_factory=True)
            for name, field in cls.model_fields.items()
            if not field.is_required()
        }
        shape = _SHAPES[cls] = (set(cls.model_fields), defaults)
    return shape


class ErrorBody(WireModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class OrganizationPublic(WireModel):
    id: UUID
    name: str
    created_at: datetime


class UserPublic(WireModel):
    id: UUID
    username: str
    organization_id: UUID
    created_at: datetime
    role: Role


class Me(WireModel):
    user: UserPublic
    organization: OrganizationPublic


class DatalakeCreate(WireModel):
    name: Name


class DatalakePublic(WireModel):
    id: UUID
    name: str
    organization_id: UUID
    created_at: datetime


class DataPublic(WireModel):
    """One stored file of a datalake.

    ``large`` is derived from ``size`` and the server's large-file threshold.
    """

    id: UUID
    datalake_id: UUID
    object_name: str
    filename: str
    type: DataType
    content_type: str
    size: int
    checksum: str
    width: int | None
    height: int | None
    duration: float | None
    large: bool
    metadata: dict[str, Any]
    custom_metadata: dict[str, Any]
    created_at: datetime


class DataIngestLocal(WireModel):
    """Ingest files that already sit on the API's own machine (embedded mode only)."""

    paths: list[str] = Field(min_length=1, max_length=MAX_LOCAL_PATHS_PER_REQUEST)
    tags: list[Name] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    tag_ids: list[UUID] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    max_workers: JsonInt | None = Field(default=None, ge=1, le=64)


class DataQuery(WireModel):
    """One page of a datalake's data, ordered by id (which is creation order)."""

    after: UUID | None = None
    limit: JsonInt = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: JsonInt = Field(default=0, ge=0, lt=OFFSET_BOUND)
    tags: list[str] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    tag_ids: list[UUID] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    filenames: list[str] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    ids: list[UUID] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)


class DataPage(WireModel):
    items: list[DataPublic]
    next_after: UUID | None
    """Key to ask the next page with, or None when this page is the last."""


class DataCustomMetadataUpdate(WireModel):
    custom_metadata: dict[str, Any]
    """Plain JSON (see ``pixlake.validation.check_json``); its size is the setting
    ``max_json_bytes``, checked by the service."""

    @field_validator("custom_metadata", mode="after")
    @classmethod
    def _plain_json(cls, value: dict[str, Any]) -> dict[str, Any]:
        checked: dict[str, Any] = check_json(value, "custom_metadata", max_bytes=None)
        return checked


class IdList(WireModel):
    ids: list[UUID] = Field(min_length=1, max_length=MAX_IDS_PER_REQUEST)


class DownloadRequest(WireModel):
    ids: list[UUID] = Field(min_length=1, max_length=MAX_DOWNLOAD_BUNDLE)


class UrlPublic(WireModel):
    url: str
    expires_at: datetime | None


class UrlMap(WireModel):
    urls: dict[UUID, str]
    through_api: bool = False
    """The URLs are the API's own: many files are better fetched in one bundle
    (``POST /data/download``) than one request each."""


# Model files (docs/models.md, "Files"): a model version's stored files.

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
"""A SHA-256 digest in lowercase hexadecimal."""
FileSize = Annotated[int, Field(ge=0, lt=OFFSET_BOUND)]
"""A size in bytes, below 2^53 (8 PiB): a bound every JSON client reads exactly, where 2^63
is a float to most of them."""


class ModelFilePublic(WireModel):
    """One stored file of a model version. ``large`` is derived from ``size`` and the
    server's large-file threshold."""

    id: UUID
    model_version_id: UUID
    name: str
    filename: str
    object_name: str
    size: int
    checksum: str
    large: bool
    created_at: datetime


class ModelFileUpload(WireModel):
    """What a client is about to store: asked before any byte travels."""

    name: str = Field(max_length=MAX_NAME_LENGTH)
    filename: str = Field(max_length=MAX_NAME_LENGTH)
    size: FileSize
    checksum: Sha256 | None = None
    """Known once the client hashed the file; a direct upload needs it."""
    replace: bool = False


class ModelFileUploadPlan(WireModel):
    """How the bytes of a model file travel.

    ``held``: the store holds these bytes already; create the file (``POST .../files``).
    ``direct``: put them to ``urls`` (signed, expiring; one PUT, or one per part of
    ``part_size`` bytes when ``upload_id`` is set), then create the file. No ``urls``
    means: hash the file and ask again with its ``checksum``.
    ``stream``: send them as the body of ``PUT .../files/content``.
    """

    method: Literal["held", "direct", "stream"]
    urls: list[str] = []
    part_size: int | None = None
    upload_id: str | None = None
    expires_at: datetime | None = None


class ModelFileCreate(WireModel):
    """Create a file whose bytes are in the store (``held``, or put there directly)."""

    name: str = Field(max_length=MAX_NAME_LENGTH)
    filename: str = Field(max_length=MAX_NAME_LENGTH)
    size: FileSize
    checksum: Sha256
    replace: bool = False
    upload_id: str | None = Field(
        default=None, min_length=1, max_length=1024, pattern=r"^[\x21-\x7e]+$"
    )
    """The store's own id of a multipart upload, as the upload plan gave it: printable
    ASCII, as every S3-compatible store makes them."""


class ModelFileLocal(WireModel):
    """Store a file of the API's own machine (embedded mode only)."""

    path: str = Field(max_length=4096)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    filename: str = Field(max_length=MAX_NAME_LENGTH)
    replace: bool = False


class TagCreate(WireModel):
    name: Name
    target: Target


class TagUpdate(WireModel):
    name: Name


class TagPublic(WireModel):
    id: UUID
    name: str
    target: Target
    organization_id: UUID
    created_at: datetime


class TagLinks(WireModel):
    """Attach (or detach) every tag to (or from) every object, all of kind ``target``.

    Tags are given by id, by name (``tags``), or both; on attach, a name that doesn't exist
    yet for ``target`` is created, in the same transaction."""

    # "At least one tag, by id or by name", as the document says it.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["tag_ids"], "properties": {"tag_ids": {"minItems": 1}}},
                {"required": ["tags"], "properties": {"tags": {"minItems": 1}}},
            ]
        }
    )

    target: Target
    object_ids: list[UUID] = Field(min_length=1, max_length=MAX_IDS_PER_REQUEST)
    tag_ids: list[UUID] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    tags: list[Name] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)

    @model_validator(mode="after")
    def _some_tag(self) -> Self:
        if not self.tag_ids and not self.tags:
            raise ValueError("give at least one tag (tag_ids or tags)")
        return self


class TagsOfObject(WireModel):
    target: Target
    object_id: UUID


# Datasets, versions and assets


class DatasetCreate(WireModel):
    name: Name
    description: str = Field(default="", max_length=MAX_TEXT_LENGTH)


class DatasetUpdate(WireModel):
    name: Name | None = None
    description: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


class DatasetPublic(WireModel):
    id: UUID
    name: str
    description: str
    organization_id: UUID
    created_at: datetime


class VersionCreate(WireModel):
    version: Name
    description: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    type: InferenceType = InferenceType.NOT_CONFIGURED


class VersionUpdate(WireModel):
    version: Name | None = None
    description: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    type: InferenceType | None = None


class VersionPublic(WireModel):
    id: UUID
    dataset_id: UUID
    version: str
    description: str
    type: InferenceType
    locked: bool
    created_at: datetime


class VersionFork(WireModel):
    version: Name
    description: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    with_annotations: StrictBool = True


class VersionStats(WireModel):
    nb_assets: int
    nb_annotations: int
    nb_objects: int
    """Shapes across all annotations."""
    label_repartition: dict[str, int]
    """Shapes per label name."""
    label_image_repartition: dict[str, int]
    """Images per label name: the assets holding at least one shape of the label."""
    tag_repartition: dict[str, int]
    """Assets per asset tag name."""


class Count(WireModel):
    """How many objects match (a count without the listing)."""

    count: int


class AssetsAdd(WireModel):
    data_ids: list[UUID] = Field(min_length=1, max_length=MAX_IDS_PER_REQUEST)
    tags: list[Name] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    tag_ids: list[UUID] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)


class AssetPublic(WireModel):
    id: UUID
    dataset_version_id: UUID
    data_id: UUID
    datalake_id: UUID
    object_name: str
    filename: str
    type: DataType
    content_type: str
    size: int
    width: int | None
    height: int | None
    duration: float | None
    large: bool
    checksum: str
    metadata: dict[str, Any]
    custom_metadata: dict[str, Any]
    data_created_at: datetime
    created_at: datetime
    deleted_at: datetime | None = None

    def to_data(self) -> DataPublic:
        """The underlying data, as far as an asset knows it (all of it)."""
        return DataPublic(
            id=self.data_id,
            datalake_id=self.datalake_id,
            object_name=self.object_name,
            filename=self.filename,
            type=self.type,
            content_type=self.content_type,
            size=self.size,
            checksum=self.checksum,
            width=self.width,
            height=self.height,
            duration=self.duration,
            large=self.large,
            metadata=self.metadata,
            custom_metadata=self.custom_metadata,
            created_at=self.data_created_at,
        )


class AssetQuery(WireModel):
    after: UUID | None = None
    limit: JsonInt = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: JsonInt = Field(default=0, ge=0, lt=OFFSET_BOUND)
    tags: list[str] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    tag_ids: list[UUID] = Field(default=[], max_length=MAX_TAGS_PER_REQUEST)
    filenames: list[str] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    data_ids: list[UUID] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    ids: list[UUID] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    deleted: StrictBool = False
    """List the assets in the trash instead of the live ones."""


class AssetPage(WireModel):
    items: list[AssetPublic]
    next_after: UUID | None


class AnnotationsDelete(WireModel):
    asset_ids: list[UUID] = Field(min_length=1, max_length=MAX_IDS_PER_REQUEST)
    worker_ids: list[UUID] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)


class WorkerAdd(WireModel):
    username: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)


class WorkerPublic(WireModel):
    id: UUID
    dataset_id: UUID
    user_id: UUID
    username: str
    role: Role


class LabelCreate(WireModel):
    name: Name


class LabelPublic(WireModel):
    id: UUID
    dataset_version_id: UUID
    name: str
    created_at: datetime


# Annotations and shapes


class AnnotationCreate(WireModel):
    duration: StrictFloat = Field(default=0.0, ge=0, allow_inf_nan=False)
    worker_id: UUID | None = None


class AnnotationUpdate(WireModel):
    duration: StrictFloat | None = Field(default=None, ge=0, allow_inf_nan=False)
    status: AnnotationStatus | None = None


class AnnotationPublic(WireModel):
    id: UUID
    asset_id: UUID
    dataset_version_id: UUID
    worker_id: UUID
    duration: float
    status: AnnotationStatus
    created_at: datetime
    updated_at: datetime


class AnnotationQuery(WireModel):
    after: UUID | None = None
    limit: JsonInt = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    worker_ids: list[UUID] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    status: AnnotationStatus | None = None


class AnnotationPage(WireModel):
    items: list[AnnotationPublic]
    next_after: UUID | None


_NUMBER = {"type": "number"}
_POINT = {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 2}
_SIZE = {"type": "number", "exclusiveMinimum": 0}


def _geometry_by_kind(schema: dict[str, Any]) -> None:
    """Say in the API's document what ``check_shape`` asks of each kind of shape, from the
    same numbers (``MIN_POINTS``); the server still checks with ``check_shape``, whose
    errors name the offending shape."""
    variants: list[dict[str, Any]] = [
        {
            "properties": {
                "kind": {"const": ShapeKind.RECTANGLE.value},
                "x": _NUMBER,
                "y": _NUMBER,
                "w": _SIZE,
                "h": _SIZE,
            },
            "required": ["x", "y", "w", "h"],
        }
    ]
    for kind, needed in MIN_POINTS.items():
        points: dict[str, Any] = {"type": "array", "items": _POINT, "minItems": needed}
        if kind is ShapeKind.POINT:
            points["maxItems"] = 1
        variants.append(
            {
                "properties": {"kind": {"const": kind.value}, "coords": points},
                "required": ["coords"],
            }
        )
    variants.append({"properties": {"kind": {"const": ShapeKind.CLASSIFICATION.value}}})
    schema["oneOf"] = deepcopy(variants)  # no dict shared between places of the document


def _geometry_of_updates(schema: dict[str, Any]) -> None:
    """What a shape update may hold whatever the shape's kind (which only the server
    knows): sizes above 0 and points of two numbers."""
    properties = schema["properties"]
    for name in ("w", "h"):
        properties[name] = deepcopy({"anyOf": [_SIZE, {"type": "null"}], "default": None})
    properties["coords"] = deepcopy(
        {
            "anyOf": [{"type": "array", "items": _POINT, "minItems": 1}, {"type": "null"}],
            "default": None,
        }
    )


class ShapeIn(WireModel):
    """One shape to create; which fields it needs depends on ``kind``."""

    model_config = ConfigDict(json_schema_extra=_geometry_by_kind)

    kind: ShapeKind
    label_id: UUID
    x: StrictFloat | None = None
    y: StrictFloat | None = None
    w: StrictFloat | None = None
    h: StrictFloat | None = None
    coords: list[list[StrictFloat]] | None = None
    text: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


class ShapesCreate(WireModel):
    shapes: list[ShapeIn] = Field(max_length=MAX_SHAPES_PER_REQUEST)
    replace: StrictBool = False
    """Replace every shape of the annotation (``overwrite``) instead of adding."""


class ShapeUpdate(WireModel):
    model_config = ConfigDict(json_schema_extra=_geometry_of_updates)

    label_id: UUID | None = None
    x: StrictFloat | None = None
    y: StrictFloat | None = None
    w: StrictFloat | None = None
    h: StrictFloat | None = None
    coords: list[list[StrictFloat]] | None = None
    text: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


class ShapePublic(WireModel):
    id: UUID
    annotation_id: UUID
    kind: ShapeKind
    label_id: UUID
    x: float | None
    y: float | None
    w: float | None
    h: float | None
    coords: list[list[float]] | None
    text: str | None
    created_at: datetime


# The trash


class TrashItem(WireModel):
    kind: TrashKind
    id: UUID
    name: str
    """What the item is, in words (dataset name, version, filename...)."""
    parent_id: UUID | None
    deleted_at: datetime
    expires_at: datetime


class TrashRestore(WireModel):
    ids: list[UUID] = Field(min_length=1, max_length=MAX_IDS_PER_REQUEST)


class TrashPurge(WireModel):
    everything: StrictBool = False
    """Purge every item now, not only those past the retention period."""


class TrashResult(WireModel):
    count: int


# The model registry (docs/models.md)


_CLASS_INDEX_PATTERN = r"^(0|[1-9][0-9]*)$"


def _class_labels(value: dict[str, str]) -> dict[str, str]:
    """Class index (a non-negative integer, written as text without leading zeros) ->
    a label name (a ``Name``, checked by the value's own type)."""
    for index, label in value.items():
        if not (index.isascii() and index.isdigit() and str(int(index)) == index):
            raise ValueError(f"labels: {index!r} is not a class index (0, 1, 2...)")
        # The model's own check of texts reaches no value of a mapping: no NUL, no lone
        # surrogate, or one database or the other refuses the row.
        check_text(label, f"labels[{index!r}]")
    return value


ClassLabels = Annotated[
    dict[str, Name],
    Field(
        max_length=MAX_MODEL_LABELS,
        # in the document; the validator says why in its own words
        json_schema_extra={"propertyNames": {"pattern": _CLASS_INDEX_PATTERN}},
    ),
    AfterValidator(_class_labels),
]
"""What a model version predicts: class index (as text) -> label name, ``{"0": "cat"}``."""


def _plain_parameters(value: dict[str, Any]) -> dict[str, Any]:
    # Its size is the setting max_json_bytes, checked by the service.
    checked: dict[str, Any] = check_json(value, "base_parameters", max_bytes=None)
    return checked


BaseParameters = Annotated[dict[str, Any], AfterValidator(_plain_parameters)]


class ModelCreate(WireModel):
    name: Name
    description: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    type: InferenceType = InferenceType.NOT_CONFIGURED
    framework: Framework = Framework.NOT_CONFIGURED


class ModelUpdate(WireModel):
    name: Name | None = None
    description: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    type: InferenceType | None = None
    framework: Framework | None = None


class ModelPublic(WireModel):
    id: UUID
    name: str
    description: str
    type: InferenceType
    framework: Framework
    organization_id: UUID
    created_at: datetime


class ModelVersionCreate(WireModel):
    name: Name | None = None
    """The version's number as text when not given."""
    labels: ClassLabels = {}
    type: InferenceType | None = None
    """The model's when not given; so is ``framework``."""
    framework: Framework | None = None
    base_parameters: BaseParameters = {}
    description: str = Field(default="", max_length=MAX_TEXT_LENGTH)


class ModelVersionUpdate(WireModel):
    name: Name | None = None
    labels: ClassLabels | None = None
    type: InferenceType | None = None
    framework: Framework | None = None
    base_parameters: BaseParameters | None = None
    description: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


class ModelVersionPublic(WireModel):
    id: UUID
    model_id: UUID
    name: str
    version: int
    labels: dict[str, str]
    type: InferenceType
    framework: Framework
    base_parameters: dict[str, Any]
    description: str
    created_at: datetime


class DatasetVersionAttach(WireModel):
    dataset_version_id: UUID
    name: Name = "train"


class AttachedDatasetVersion(WireModel):
    """One attachment of a dataset version to a model version (lineage)."""

    model_version_id: UUID
    dataset_version_id: UUID
    name: str
    """What the dataset version was for: train, val, test..."""
    created_at: datetime
    dataset_version: VersionPublic


# Exports (COCO, YOLO, Pascal VOC): see docs/formats.md

EXPORT_MANIFEST = ".pixlake/images.jsonl"
"""The member of a folder export's zip that lists the image files to place, one JSON
object per line (``path`` in the folder, ``data_id``, ``checksum``); never written out."""

SplitName = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"),
]
"""A split's name: it becomes a folder and a file name of the export, so only letters,
digits and ``_ . -``, not starting with a dot."""


class ExportSplit(WireModel):
    """One split of a folder export: the assets having the asset tag ``tag`` (a name) or
    ``tag_id``."""

    name: SplitName
    tag: Name | None = None
    tag_id: UUID | None = None

    @model_validator(mode="after")
    def _one_tag(self) -> Self:
        if (self.tag is None) == (self.tag_id is None):
            raise ValueError(f"split {self.name!r}: give exactly one of tag and tag_id")
        return self


class ExportRequest(WireModel):
    """What ``POST /versions/{id}/export`` writes.

    ``layout`` ``file``: the annotation file (COCO ``.json``, YOLO or VOC ``.zip``);
    ``folder``: a zip of the training-ready layout's annotation files, with the list of
    images to place (``.pixlake/images.jsonl``).
    """

    format: AnnotationFileType
    layout: Literal["file", "folder"] = "file"
    asset_ids: list[UUID] | None = Field(default=None, max_length=MAX_IDS_PER_REQUEST)
    worker_id: UUID | None = None
    status: AnnotationStatus | None = None
    splits: list[ExportSplit] | None = Field(
        default=None, min_length=1, max_length=MAX_TAGS_PER_REQUEST
    )
    root: str = Field(default=".", min_length=1, max_length=MAX_TEXT_LENGTH)
    """The ``path`` a YOLO ``data.yaml`` names (the folder the client writes to)."""

    @field_validator("splits")
    @classmethod
    def _distinct_splits(cls, splits: list[ExportSplit] | None) -> list[ExportSplit] | None:
        seen: set[str] = set()
        for split in splits or []:
            if split.name.casefold() in seen:
                raise ValueError(f"split {split.name!r} is given twice")
            seen.add(split.name.casefold())
        return splits


# Splits and diffs of versions (docs/curation.md)

SplitSeed = (
    Annotated[JsonInt, Field(ge=-(2**63), lt=2**63)]
    | Annotated[str, Field(max_length=MAX_NAME_LENGTH)]
)
"""What seeds a split: an integer of 64 bits or a short text."""


class SplitRequest(WireModel):
    # At least two parts, none negative: documented here, checked (with a message naming
    # the ratio) below.
    ratios: list[StrictFloat] = Field(
        max_length=MAX_SPLIT_PARTS,
        json_schema_extra={"minItems": 2, "items": {"type": "number", "minimum": 0}},
    )
    """One share per part, normalised to sum to 1 (at least two, none negative)."""
    random_seed: SplitSeed | None = None
    """None: the server draws one, and answers it."""
    stratify: StrictBool = True
    q: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    """Split only the assets this query keeps (the query language of the listings)."""
    tag_names: list[Name] | None = Field(
        default=None, max_length=MAX_SPLIT_PARTS, json_schema_extra={"uniqueItems": True}
    )
    """An asset tag per part (as many as ``ratios``, each its own), moved onto the part's
    assets."""

    @model_validator(mode="after")
    def _parts_agree(self) -> Self:
        self.ratios = normalise_ratios(self.ratios)
        if self.tag_names is not None:
            if len(self.tag_names) != len(self.ratios):
                raise BadRequestError(
                    f"tag_names holds {len(self.tag_names)} names for {len(self.ratios)} "
                    "parts: give one per part",
                    details={"field": "tag_names"},
                )
            for index, name in enumerate(self.tag_names):
                if name in self.tag_names[:index]:
                    raise BadRequestError(
                        f"tag_names[{index}] repeats {name!r}: each part needs its own tag",
                        details={"field": f"tag_names[{index}]"},
                    )
        return self


class SplitPart(WireModel):
    asset_ids: list[UUID]
    """The part's assets, in listing (id) order."""
    images_per_label: dict[str, int]
    """Assets of the part holding each label of the version (0 for none)."""
    objects_per_label: dict[str, int]
    """Shapes of each label on the part's assets."""
    tag: str | None


class SplitResult(WireModel):
    random_seed: int | str
    ratios: list[float]
    """The normalised ratios, the target share of each part."""
    stratified: bool
    parts: list[SplitPart]
    labels: list[LabelPublic]


class WorkerAnnotationChanges(WireModel):
    """How one worker's annotation of an asset differs between two versions: its shapes,
    and its status and duration (each side's, None on a side where the worker has no
    annotation of the asset)."""

    username: str
    added: int
    """Shapes only in the other version."""
    removed: int
    """Shapes only in this version."""
    changed: int
    """Shapes of one kind moved, reshaped or relabelled (a removed and an added one of the
    same kind, paired)."""
    status_before: AnnotationStatus | None
    """The annotation's status in this version."""
    status_after: AnnotationStatus | None
    """The annotation's status in the other version."""
    duration_before: float | None
    duration_after: float | None


class AssetChange(WireModel):
    data_id: UUID
    filename: str
    asset_id: UUID
    """The asset in this version."""
    other_asset_id: UUID
    """The asset of the same data in the other version."""
    workers: list[WorkerAnnotationChanges]


class LabelCountChange(WireModel):
    objects_before: int
    objects_after: int
    images_before: int
    images_after: int


class VersionDiffPublic(WireModel):
    version_id: UUID
    other_version_id: UUID
    only_in_self: list[UUID]
    """Assets of this version whose data the other version lacks."""
    only_in_other: list[UUID]
    """Assets of the other version whose data this version lacks."""
    changed: list[AssetChange]
    labels_only_in_self: list[str]
    labels_only_in_other: list[str]
    label_counts: dict[str, LabelCountChange]
    """Labels whose shape or image counts differ (0 for a label missing on one side)."""
