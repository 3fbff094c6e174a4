"""Dataset versions: a set of assets with labels and annotations."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pixlake.enums import (
    AnnotationFileType,
    AnnotationStatus,
    ImportAnnotationMode,
    InferenceType,
    Target,
)
from pixlake.errors import BadRequestError, NotFoundError
from pixlake.gcpause import paused_gc
from pixlake.import_schemas import ImportSummary
from pixlake.schemas import (
    MAX_PAGE_SIZE,
    AnnotationPublic,
    AssetPage,
    AssetPublic,
    LabelPublic,
    ModelVersionPublic,
    VersionDiffPublic,
    VersionPublic,
    VersionStats,
)
from pixlake.sdk.annotation import Annotation
from pixlake.sdk.annotation_files import annotation_files, existing_file, import_files
from pixlake.sdk.asset import BULK_CHUNK, Asset, MultiAsset
from pixlake.sdk.base import (
    SchemaField,
    SdkObject,
    Taggable,
    coerce_enum,
    get_or_create,
    id_list,
    split_tags,
)
from pixlake.sdk.connection import idempotency_keys
from pixlake.sdk.curation import VersionDiff, repartition, split_into_parts
from pixlake.sdk.data import Data, MultiData
from pixlake.sdk.export_requests import export_body, split_body
from pixlake.sdk.exporting import export_to_file, export_to_folder, read_export, require_folder
from pixlake.sdk.label import Label
from pixlake.sdk.page_args import check_page_args
from pixlake.sdk.paging import keyset_pages
from pixlake.sdk.querying import query_params
from pixlake.sdk.wire import parse_many
from pixlake.sdk.worker import worker_id_of

if TYPE_CHECKING:
    from pixlake.sdk.model_version import ModelVersion
    from pixlake.sdk.tag import Tag
    from pixlake.sdk.worker import Worker

__all__ = ["DatasetVersion"]

TRAIN_TEST_VAL_RATIOS: tuple[float, float, float] = (0.64, 0.16, 0.2)
"""``train_test_val_split``'s shares of train, test and val when none are given."""


class DatasetVersion(Taggable, SdkObject[VersionPublic]):
    """One version of a dataset: its assets, labels and annotations."""

    _tag_target = Target.DATASET_VERSION

    dataset_id = SchemaField[UUID]()
    version = SchemaField[str]()
    description = SchemaField[str]()
    type = SchemaField[InferenceType]()
    locked = SchemaField[bool]()
    created_at = SchemaField[datetime]()

    @property
    def origin_id(self) -> UUID:
        """The id of the dataset of this version (the Picsellia SDK's name for it)."""
        return self.dataset_id

    @property
    def name(self) -> str:
        return self._schema.version

    def sync(self) -> dict[str, Any]:
        self._set(self._connection.request("GET", f"/versions/{self.id}"))
        return self._schema.model_dump(mode="json")

    def _set(self, row: Any) -> None:
        self._schema = VersionPublic.model_validate(row)

    def update(
        self,
        version: str | None = None,
        description: str | None = None,
        type: InferenceType | str | None = None,
    ) -> None:
        body: dict[str, Any] = {
            "version": version,
            "description": description,
            "type": coerce_enum(InferenceType, type).value if type else None,
        }
        self._set(
            self._connection.request(
                "PATCH",
                f"/versions/{self.id}",
                json={k: v for k, v in body.items() if v is not None},
            )
        )

    def lock(self) -> None:
        """Refuse every write to this version (assets, tags of assets, labels, annotations)
        until ``unlock``."""
        self._set(self._connection.request("POST", f"/versions/{self.id}/lock"))

    def unlock(self) -> None:
        self._set(self._connection.request("POST", f"/versions/{self.id}/unlock"))

    def delete(self, force: bool = False) -> None:
        """Move this version (and its assets and annotations) to the trash.

        Raises:
            ConflictError: a model version is attached to it (see
                ``ModelVersion.attach_dataset_version``) and ``force`` is not set.
        """
        params = {"force": "true"} if force else {}
        self._connection.request("DELETE", f"/versions/{self.id}", params=params)

    def fork(
        self, version: str, description: str = "", with_annotations: bool = True
    ) -> DatasetVersion:
        """A new version of the dataset with the same assets (and labels, asset tags and,
        when asked, annotations); no bytes are copied."""
        row = self._connection.request(
            "POST",
            f"/versions/{self.id}/fork",
            json={
                "version": version,
                "description": description,
                "with_annotations": with_annotations,
            },
            idempotency_key=next(idempotency_keys()),
        )
        return DatasetVersion(self._connection, VersionPublic.model_validate(row))

    def retrieve_stats(self, q: str | None = None) -> VersionStats:
        """Counts of assets, annotations, shapes per label, images per label and assets per
        asset tag; over the assets matching the query ``q`` when given (docs/query.md)."""
        return VersionStats.model_validate(
            self._connection.request("GET", f"/versions/{self.id}/stats", params=query_params(q))
        )

    # Assets

    def add_data(
        self,
        data: Data | MultiData | Sequence[Data],
        tags: Tag | str | Sequence[Tag | str] | None = None,
    ) -> MultiAsset:
        """Make assets of data (of any datalakes of the organization), one per data.

        Data already in the version keep their asset. ``tags`` (names or Tags of target
        ASSET, names created if new; one name or Tag, or a list) go on every asset.
        Returns the assets, in order.
        """
        items = [data] if isinstance(data, Data) else list(data)
        for item in items:
            if not isinstance(item, Data):
                raise BadRequestError(f"expected Data, got {item!r}")
        if not items:
            raise BadRequestError("no data to add")
        tag_names, tag_ids = split_tags(tags, Target.ASSET)
        assets: list[Asset] = []
        keys = idempotency_keys()
        with paused_gc():
            for start in range(0, len(items), BULK_CHUNK):
                chunk = [str(d.id) for d in items[start : start + BULK_CHUNK]]
                rows = self._connection.request(
                    "POST",
                    f"/versions/{self.id}/assets",
                    json={"data_ids": chunk, "tags": tag_names, "tag_ids": tag_ids},
                    idempotency_key=next(keys),
                )
                assets.extend(
                    Asset(self._connection, item) for item in parse_many(AssetPublic, rows)
                )
            return MultiAsset(self._connection, list({a.id: a for a in assets}.values()))

    def list_assets(
        self,
        limit: int | None = None,
        offset: int | None = None,
        tags: str | Tag | Sequence[str | Tag] | None = None,
        filenames: Sequence[str] | None = None,
        data_ids: Sequence[UUID | str] | None = None,
        q: str | None = None,
        ids: Sequence[UUID | str] | None = None,
    ) -> MultiAsset:
        """Assets of this version in the order they were added, optionally filtered.

        Args:
            limit: at most this many; offset: skip this many first.
            tags: keep assets having any of these asset tags (names or Tags).
            filenames: keep assets with one of these filenames.
            data_ids: keep assets of these data.
            q: keep assets matching this query (docs/query.md), e.g.
                ``'annotations.rectangles.label.name = "car" and width > 640'``; and-ed
                with the other filters.
            ids: keep the assets of these ids (the Picsellia SDK's ``ids``; up to
                ``MAX_IDS_PER_REQUEST``, as ``filenames`` and ``data_ids``).

        Raises:
            InvalidQueryError: ``q`` does not parse or names what assets lack (its
                position and token in ``details``).
        """
        with paused_gc():
            return MultiAsset(
                self._connection,
                self._assets(limit, offset, tags, filenames, data_ids, deleted=False, q=q, ids=ids),
            )

    def count_assets(self, q: str | None = None) -> int:
        """How many assets of this version match the query ``q`` (all of them when None),
        without listing them."""
        answer = self._connection.request(
            "GET", f"/versions/{self.id}/assets/count", params=query_params(q)
        )
        return int(answer["count"])

    def list_deleted_assets(self, limit: int | None = None) -> MultiAsset:
        """Assets of this version that are in the trash (restorable)."""
        return MultiAsset(
            self._connection, self._assets(limit, None, None, None, None, deleted=True)
        )

    def restore_assets(self, assets: Asset | MultiAsset | Sequence[Asset | UUID | str]) -> int:
        """Bring assets back from the trash, all or none; returns how many."""
        items = [assets] if isinstance(assets, Asset) else list(assets)
        ids = [str(a.id) if isinstance(a, Asset) else str(a) for a in items]
        if not ids:
            raise BadRequestError("no asset to restore")
        restored = 0
        for start in range(0, len(ids), BULK_CHUNK):
            restored += self._connection.request(
                "POST",
                f"/versions/{self.id}/assets/restore",
                json={"ids": ids[start : start + BULK_CHUNK]},
            )["count"]
        return restored

    def _assets(
        self,
        limit: int | None,
        offset: int | None,
        tags: Any,
        filenames: Sequence[str] | None,
        data_ids: Sequence[Any] | None,
        *,
        deleted: bool,
        q: str | None = None,
        ids: Sequence[UUID | str] | None = None,
    ) -> Iterator[Asset]:
        check_page_args(limit, offset)
        params = query_params(q)
        tag_names, tag_ids = split_tags(tags, Target.ASSET)
        query: dict[str, Any] = {
            "tags": tag_names,
            "tag_ids": tag_ids,
            "offset": offset or 0,
            "deleted": deleted,
            "filenames": list(filenames) if filenames is not None else None,
            "data_ids": id_list(data_ids),
            "ids": id_list(ids),
        }
        for rows in keyset_pages(
            self._connection,
            f"/versions/{self.id}/assets/search",
            query,
            limit=limit,
            page_size=MAX_PAGE_SIZE,
            params=params,
        ):
            yield from (Asset(self._connection, item) for item in parse_many(AssetPublic, rows))

    def find_asset(
        self,
        id: UUID | str | Data | None = None,
        filename: str | None = None,
        data: Data | None = None,
    ) -> Asset:
        """The asset with this id, filename or data.

        A Data given first is taken as ``data``: the Picsellia SDK's ``find_asset`` takes
        ``data`` first, so ``find_asset(data)`` finds the data's asset in both SDKs.

        Raises:
            NotFoundError: this version has none.
        """
        if isinstance(id, Data):
            if data is not None:
                raise TypeError("give the data once: first, or as data=")
            id, data = None, id
        if id is None and filename is None and data is None:
            raise BadRequestError("give an id, a filename or a data to find an asset")
        query: dict[str, Any] = {"limit": 1}
        if id is not None:
            query["ids"] = [str(id)]
        if filename is not None:
            query["filenames"] = [filename]
        if data is not None:
            query["data_ids"] = [str(data.id)]
        page = AssetPage.model_validate(
            self._connection.request("POST", f"/versions/{self.id}/assets/search", json=query)
        )
        if not page.items:
            wanted = ", ".join(
                f"{k}={v!r}"
                for k, v in (
                    ("id", id),
                    ("filename", filename),
                    ("data", data.id if data else None),
                )
                if v is not None
            )
            raise NotFoundError(
                f"no asset with {wanted} in version {self.version!r}",
                details={"version_id": str(self.id)},
            )
        return Asset(self._connection, page.items[0])

    def download(
        self,
        target_path: str | Path | None = None,
        force_replace: bool = False,
        max_workers: int | None = None,
    ) -> int:
        """Download every asset's file (to ``./<version>`` by default); returns how many."""
        target = target_path if target_path is not None else Path(".") / self.version
        return self.list_assets().download(target, force_replace, max_workers)

    # Labels

    def create_label(self, name: str) -> Label:
        row = self._connection.request("POST", f"/versions/{self.id}/labels", json={"name": name})
        return Label(self._connection, LabelPublic.model_validate(row))

    def get_label(self, name: str) -> Label:
        rows = self._connection.request("GET", f"/versions/{self.id}/labels", params={"name": name})
        if not rows:
            raise NotFoundError(
                f"no label named {name!r} in version {self.version!r}", details={"name": name}
            )
        return Label(self._connection, LabelPublic.model_validate(rows[0]))

    def get_or_create_label(self, name: str) -> Label:
        """The label called ``name``, created if this version has none."""
        return get_or_create(lambda: self.get_label(name), lambda: self.create_label(name))

    def list_labels(self) -> list[Label]:
        rows = self._connection.request("GET", f"/versions/{self.id}/labels")
        return [Label(self._connection, LabelPublic.model_validate(r)) for r in rows]

    # Annotations

    def list_annotations(
        self,
        worker: Worker | None = None,
        status: AnnotationStatus | str | None = None,
        limit: int | None = None,
        q: str | None = None,
    ) -> list[Annotation]:
        """Annotations of this version's assets, paged by key internally; with ``q``, those
        matching that query (docs/query.md: an annotation's own fields and its asset's)."""
        check_page_args(limit, None)
        params = query_params(q)
        query: dict[str, Any] = {
            "worker_ids": [worker_id_of(worker)] if worker is not None else None,
            "status": coerce_enum(AnnotationStatus, status).value if status is not None else None,
        }
        return [
            Annotation(self._connection, item)
            for rows in keyset_pages(
                self._connection,
                f"/versions/{self.id}/annotations/search",
                query,
                limit=limit,
                page_size=MAX_PAGE_SIZE,
                params=params,
            )
            for item in parse_many(AnnotationPublic, rows)
        ]

    # Lineage

    def list_model_versions(self) -> list[ModelVersion]:
        """The model versions this version is attached to (trained or evaluated on it)."""
        from pixlake.sdk.model_version import ModelVersion

        rows = self._connection.request("GET", f"/versions/{self.id}/model-versions")
        return [ModelVersion(self._connection, ModelVersionPublic.model_validate(r)) for r in rows]

    # Exports (COCO, YOLO, Pascal VOC; docs/formats.md)

    def build_coco_file_locally(
        self,
        assets: MultiAsset | Sequence[Asset] | None = None,
        worker: Worker | None = None,
        status: AnnotationStatus | str | None = None,
    ) -> dict[str, Any]:
        """The COCO document of this version's annotations (the latest of each asset, or
        ``worker``'s; only those of ``status`` when given), as a plain dict."""
        body = export_body(AnnotationFileType.COCO, "file", assets, worker, status)
        document: dict[str, Any] = json.loads(read_export(self._connection, self.id, body))
        return document

    def export_annotation_file(
        self,
        annotation_file_type: AnnotationFileType | str,
        target_path: str | Path = "./",
        assets: MultiAsset | Sequence[Asset] | None = None,
        worker: Worker | None = None,
        status: AnnotationStatus | str | None = None,
        force_replace: bool = True,
    ) -> str:
        """Write this version's annotations in a format into the folder ``target_path``:
        COCO one ``.json``; YOLO a ``.zip`` of a ``.txt`` per image and ``data.yaml``;
        PASCAL_VOC a ``.zip`` of an ``.xml`` per image. Returns the path written.

        Args:
            annotation_file_type: COCO, YOLO or PASCAL_VOC.
            target_path: the folder (created if missing) the file is written into.
            assets: only these assets (at most 10,000) instead of the whole version.
            worker: this worker's annotations; the latest annotation of each asset when None.
            status: only annotations with this AnnotationStatus.
            force_replace: write over a file already there; when False it is kept.

        Raises:
            NotAFolderError: ``target_path`` is a file.
            UnsupportedShapeError: the version holds shapes the format cannot hold.
        """
        file_type = coerce_enum(AnnotationFileType, annotation_file_type)
        folder = require_folder(target_path)
        suffix = ".json" if file_type is AnnotationFileType.COCO else ".zip"
        target = folder / f"{self.id}_{file_type.value.lower()}{suffix}"
        if target.exists() and not force_replace:
            return str(target)
        body = export_body(file_type, "file", assets, worker, status)
        return str(export_to_file(self._connection, self.id, body, target))

    def export(
        self,
        target_path: str | Path,
        annotation_file_type: AnnotationFileType | str,
        splits: Mapping[str, Tag | str] | None = None,
        assets: MultiAsset | Sequence[Asset] | None = None,
        worker: Worker | None = None,
        status: AnnotationStatus | str | None = None,
        with_images: bool = True,
    ) -> Path:
        """A training-ready folder: the layout of the format, with its images.

        COCO ``annotations/instances_<split>.json`` and ``images/<split>/``; YOLO (the
        Ultralytics layout) ``data.yaml``, ``images/<split>/`` and ``labels/<split>/``, or
        ``<split>/<label>/<image>`` for a CLASSIFICATION version; PASCAL_VOC
        ``Annotations/``, ``JPEGImages/`` and ``ImageSets/Main/<split>.txt``.

        Args:
            target_path: the folder (created if missing).
            annotation_file_type: COCO, YOLO or PASCAL_VOC.
            splits: split names to asset tags (Tags or names), e.g.
                ``{"train": "train", "val": "val"}``; an asset in none is left out. Without
                it everything is one split named ``train``.
            assets, worker, status: as in ``export_annotation_file``.
            with_images: write the images too (atomically, in parallel, skipping those
                already there with the same checksum).

        Returns:
            The folder.
        """
        file_type = coerce_enum(AnnotationFileType, annotation_file_type)
        folder = require_folder(target_path)
        body = export_body(file_type, "folder", assets, worker, status)
        body["root"] = str(folder)
        if splits is not None:
            body["splits"] = [split_body(name, tag) for name, tag in splits.items()]
        export_to_folder(self._connection, self.id, body, folder, with_images=with_images)
        return folder

    # Annotation files: import (COCO, YOLO, Pascal VOC; docs/import.md)

    def import_annotations_coco_file(
        self,
        file_path: str | Path,
        worker: Worker | None = None,
        mode: ImportAnnotationMode | str = ImportAnnotationMode.REPLACE,
        force_create_label: bool = True,
        fail_on_asset_not_found: bool = True,
        status: AnnotationStatus | str | None = None,
    ) -> ImportSummary:
        """Import a COCO file: assets are matched to its images by filename.

        Args:
            file_path: the COCO ``.json`` document.
            worker: whose annotations they become (the caller's when None).
            mode: REPLACE (the worker's annotation of each matched asset is replaced),
                KEEP (assets the worker annotated already are left alone) or CONCATENATE
                (the shapes are added to it).
            force_create_label: create the labels the version lacks; else refuse them.
            fail_on_asset_not_found: refuse an image no asset matches; else count it.
            status: the status of the annotations written (PENDING when None).

        Returns:
            What the import did (assets matched, annotations and shapes created, labels
            created, assets not found...). It is all or none: a refused import
            (AnnotationFileError naming the file and the item) changes nothing.
        """
        return self._import_files(
            AnnotationFileType.COCO,
            annotation_files(file_path, AnnotationFileType.COCO),
            worker,
            mode,
            force_create_label,
            fail_on_asset_not_found,
            status,
        )

    def import_annotations_yolo_files(
        self,
        configuration_yaml_path: str | Path,
        file_paths: str | Path | Sequence[str | Path],
        worker: Worker | None = None,
        mode: ImportAnnotationMode | str = ImportAnnotationMode.REPLACE,
        force_create_label: bool = True,
        fail_on_asset_not_found: bool = True,
        status: AnnotationStatus | str | None = None,
    ) -> ImportSummary:
        """Import YOLO label files: each ``.txt`` goes to the asset whose filename has its
        stem, whatever the image's extension; coordinates are fractions of the image's
        displayed size.

        Args:
            configuration_yaml_path: the ``data.yaml`` whose ``names`` (a list, or a
                ``{0: name}`` mapping) give the labels of the class ids.
            file_paths: the ``.txt`` label files, or a folder of them.
            (the others as for ``import_annotations_coco_file``)
        """
        config = existing_file(configuration_yaml_path)
        return self._import_files(
            AnnotationFileType.YOLO,
            [config, *annotation_files(file_paths, AnnotationFileType.YOLO)],
            worker,
            mode,
            force_create_label,
            fail_on_asset_not_found,
            status,
        )

    def import_annotations_voc_files(
        self,
        file_paths: str | Path | Sequence[str | Path],
        worker: Worker | None = None,
        mode: ImportAnnotationMode | str = ImportAnnotationMode.REPLACE,
        force_create_label: bool = True,
        fail_on_asset_not_found: bool = True,
        status: AnnotationStatus | str | None = None,
    ) -> ImportSummary:
        """Import Pascal VOC files (``.xml`` files, or a folder of them), one per image,
        matched to assets by their ``<filename>``; in one transaction, all or none.
        (Arguments as for ``import_annotations_coco_file``.)"""
        return self._import_files(
            AnnotationFileType.PASCAL_VOC,
            annotation_files(file_paths, AnnotationFileType.PASCAL_VOC),
            worker,
            mode,
            force_create_label,
            fail_on_asset_not_found,
            status,
        )

    def import_annotation_voc_file(
        self,
        file_path: str | Path,
        worker: Worker | None = None,
        mode: ImportAnnotationMode | str = ImportAnnotationMode.REPLACE,
        force_create_label: bool = True,
        status: AnnotationStatus | str | None = None,
        fail_on_asset_not_found: bool = True,
    ) -> ImportSummary:
        """Import one Pascal VOC ``.xml`` file (see ``import_annotations_voc_files``).

        ``status`` comes fifth, as in the Picsellia SDK (whose VOC import has no
        ``fail_on_asset_not_found``; pixlake's comes after it)."""
        return self.import_annotations_voc_files(
            [file_path], worker, mode, force_create_label, fail_on_asset_not_found, status
        )

    def _import_files(
        self,
        file_type: AnnotationFileType,
        files: list[Path],
        worker: Worker | None,
        mode: ImportAnnotationMode | str,
        force_create_label: bool,
        fail_on_asset_not_found: bool,
        status: AnnotationStatus | str | None,
    ) -> ImportSummary:
        return import_files(
            self._connection,
            self.id,
            file_type,
            files,
            worker=worker,
            mode=mode,
            force_create_label=force_create_label,
            fail_on_asset_not_found=fail_on_asset_not_found,
            status=status,
        )

    # Splits and diffs (docs/curation.md)

    def split_into_multi_assets(
        self,
        ratios: Sequence[float | int],
        random_seed: int | str | None = None,
        stratify: bool = True,
        q: str | None = None,
        tag_names: Sequence[str] | None = None,
    ) -> tuple[list[MultiAsset], list[dict[str, int]], list[Label]]:
        """Cut the version's assets into ``len(ratios)`` parts, computed by the server.

        Every asset lands in exactly one part (those without annotations too), part sizes
        follow the ratios (normalised: ``[8, 1, 1]`` is ``[0.8, 0.1, 0.1]``) by largest
        remainder, and the same seed on the same assets gives the same parts. With
        ``stratify``, the images holding each label are spread across the parts in the
        ratios (multi-label iterative stratification), and every label with at least as
        many images as parts appears in every part.

        Args:
            ratios: a share per part, at least two, none negative, not all 0.
            random_seed: an integer or a text; None draws one.
            stratify: False for a plain seeded random split.
            q: split only the assets this query keeps.
            tag_names: an asset tag per part, moved onto the part's assets (taken off the
                split's other assets), so exports can use the parts at once.

        Returns:
            The parts (MultiAssets in listing order), for each part its images per label
            name (every label of the version), and the version's labels.

        Raises:
            BadRequestError: bad ratios (naming the offending one), seed or tag names.
            LockedError: tag names on a locked version.
        """
        return split_into_parts(self, self.list_assets, ratios, random_seed, stratify, q, tag_names)

    def train_test_split(
        self,
        prop: float = 0.8,
        random_seed: int | str | None = None,
        stratify: bool = True,
        q: str | None = None,
    ) -> tuple[MultiAsset, MultiAsset, dict[str, list[Any]], dict[str, list[Any]], list[Label]]:
        """Two parts, ``prop`` and ``1 - prop`` of the assets (see
        ``split_into_multi_assets``): ``(train, test, train_repartition,
        test_repartition, labels)``, each repartition ``{"x": label names, "y": images}``."""
        check_prop = prop if isinstance(prop, int | float) and not isinstance(prop, bool) else -1
        if not 0 <= check_prop <= 1:
            raise BadRequestError(
                f"prop must be a number in [0, 1], got {prop!r}", details={"field": "prop"}
            )
        (train, test), (train_counts, test_counts), labels = self.split_into_multi_assets(
            [prop, 1 - prop], random_seed, stratify, q
        )
        return (
            train,
            test,
            repartition(train_counts, labels),
            repartition(test_counts, labels),
            labels,
        )

    def train_test_val_split(
        self,
        ratios: Sequence[float | int] | None = TRAIN_TEST_VAL_RATIOS,
        random_seed: int | str | None = None,
        stratify: bool = True,
        q: str | None = None,
    ) -> tuple[
        MultiAsset,
        MultiAsset,
        MultiAsset,
        dict[str, list[Any]],
        dict[str, list[Any]],
        dict[str, list[Any]],
        list[Label],
    ]:
        """Three parts in ``ratios`` (train, test, val; see ``split_into_multi_assets``):
        ``(train, test, val, train_repartition, test_repartition, val_repartition,
        labels)``. ``ratios=None`` is the default ``(0.64, 0.16, 0.2)``, as in the
        Picsellia SDK, whose default it is."""
        if ratios is None:
            ratios = TRAIN_TEST_VAL_RATIOS
        if len(ratios) != 3:
            raise BadRequestError(
                f"train_test_val_split takes three ratios, got {len(ratios)}",
                details={"field": "ratios"},
            )
        parts, counts, labels = self.split_into_multi_assets(ratios, random_seed, stratify, q)
        train, test, val = parts
        return (
            train,
            test,
            val,
            *(repartition(part_counts, labels) for part_counts in counts),  # type: ignore[return-value]
            labels,
        )

    def diff(self, other: DatasetVersion) -> VersionDiff:
        """How ``other`` differs from this version, computed by the server in bulk: assets
        of one side only (matched by their data), assets whose annotations differ (per
        worker: shapes added, removed or changed, status, duration), labels of one side
        only, and label counts that changed. ``str(diff)`` is a readable summary.

        Raises:
            NotFoundError: ``other`` is not a version this user can see.
        """
        if not isinstance(other, DatasetVersion):
            raise BadRequestError(f"expected a DatasetVersion, got {other!r}")
        row = self._connection.request("GET", f"/versions/{self.id}/diff/{other.id}")
        return VersionDiff(self, other, VersionDiffPublic.model_validate(row))

    def __repr__(self) -> str:
        return f"DatasetVersion(version={self.version!r}, id={self.id})"
