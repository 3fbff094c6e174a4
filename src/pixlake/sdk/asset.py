"""Assets (a data in a dataset version) and MultiAsset (many of them)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from pixlake.enums import DataType, Target
from pixlake.errors import BadRequestError
from pixlake.gcpause import paused_gc
from pixlake.limits import MAX_IDS_PER_REQUEST
from pixlake.schemas import AnnotationPublic, AssetPublic, DataPublic, TagPublic
from pixlake.sdk.annotation import Annotation
from pixlake.sdk.base import SchemaField, SdkObject, Taggable, link_tags
from pixlake.sdk.data import Data, MultiData, ReadableBytes
from pixlake.sdk.multi import MultiObject
from pixlake.sdk.tag import Tag
from pixlake.sdk.transfer import DownloadJob, download_all
from pixlake.sdk.wire import parse_many
from pixlake.sdk.worker import Worker, worker_id_of

__all__ = ["Asset", "MultiAsset"]

BULK_CHUNK = MAX_IDS_PER_REQUEST
"""Assets per request in bulk operations (the most the server takes)."""


def _worker_ids(workers: Any) -> list[str] | None:
    if workers is None:
        return None
    if isinstance(workers, Worker):
        workers = [workers]
    return [worker_id_of(worker) for worker in workers]


def check_duration(duration: Any) -> float:
    """A duration in seconds: a finite number >= 0."""
    if (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or not math.isfinite(duration)
        or duration < 0
    ):
        raise BadRequestError(
            f"duration must be a finite number of seconds >= 0, got {duration!r}",
            details={"duration": repr(duration)},
        )
    return float(duration)


class Asset(ReadableBytes, Taggable, SdkObject[AssetPublic]):
    """A data of a dataset version, with its annotations and asset tags."""

    _tag_target = Target.ASSET

    def _url_route(self) -> str:
        # An asset's bytes are those of its data.
        return f"/data/{self.data_id}/url"

    dataset_version_id = SchemaField[UUID]()
    data_id = SchemaField[UUID]()
    datalake_id = SchemaField[UUID]()
    object_name = SchemaField[str]()
    filename = SchemaField[str]()
    large = SchemaField[bool]()
    type = SchemaField[DataType]()
    content_type = SchemaField[str]()
    width = SchemaField[int | None]()
    height = SchemaField[int | None]()
    duration = SchemaField[float | None]()
    metadata = SchemaField[dict[str, Any]]()
    custom_metadata = SchemaField[dict[str, Any]]()
    created_at = SchemaField[datetime]()

    def sync(self) -> dict[str, Any]:
        self._schema = AssetPublic.model_validate(
            self._connection.request("GET", f"/assets/{self.id}")
        )
        return self._schema.model_dump(mode="json")

    def to_data_schema(self) -> DataPublic:
        """The underlying data as a pydantic model, built without calling the platform."""
        return self._schema.to_data()

    def get_data(self) -> Data:
        """The Data this asset was made from."""
        return Data(
            self._connection,
            DataPublic.model_validate(self._connection.request("GET", f"/data/{self.data_id}")),
        )

    def get_data_tags(self) -> list[Tag]:
        """The tags of the underlying data (target DATA)."""
        rows = self._connection.request(
            "POST", "/tags/of", json={"target": Target.DATA.value, "object_id": str(self.data_id)}
        )
        return [Tag(self._connection, TagPublic.model_validate(r)) for r in rows]

    def get_annotation(self, worker: Worker | None = None) -> Annotation:
        """The annotation of ``worker`` (the current user when None) on this asset.

        Raises:
            NotFoundError: that worker has no annotation here.
        """
        params = {"worker_id": worker_id_of(worker)} if worker is not None else {}
        row = self._connection.request("GET", f"/assets/{self.id}/annotation", params=params)
        return Annotation(self._connection, AnnotationPublic.model_validate(row))

    def create_annotation(
        self, duration: float | int = 0.0, worker: Worker | None = None
    ) -> Annotation:
        """A new annotation of ``worker`` (the current user when None) on this asset.

        A worker has at most one annotation per asset: a second one is a ConflictError.
        """
        body: dict[str, Any] = {"duration": check_duration(duration)}
        if worker is not None:
            body["worker_id"] = worker_id_of(worker)
        row = self._connection.request("POST", f"/assets/{self.id}/annotations", json=body)
        return Annotation(self._connection, AnnotationPublic.model_validate(row))

    def list_annotations(self) -> list[Annotation]:
        rows = self._connection.request("GET", f"/assets/{self.id}/annotations")
        return [Annotation(self._connection, AnnotationPublic.model_validate(r)) for r in rows]

    def delete_annotations(self, workers: list[Worker] | None = None) -> None:
        """Move every annotation of this asset (only the given workers' ones) to the trash."""
        MultiAsset(self._connection, [self]).delete_annotations(workers)

    def download(self, target_path: str | Path = "./", force_replace: bool = False) -> None:
        """Write the asset's file as ``target_path/filename``; an existing file is kept
        unless ``force_replace``. Nothing partial is ever left at the target."""
        MultiAsset(self._connection, [self]).download(target_path, force_replace, max_workers=1)

    def delete(self) -> None:
        """Move this asset, with its annotations, to the trash of its version.

        The data stays in its datalake; ``version.restore_assets`` brings the asset back.
        """
        self._connection.request("POST", "/assets/delete", json={"ids": [str(self.id)]})


class MultiAsset(MultiObject[Asset]):
    """Many assets, with bulk operations (one request, or fixed-size chunks, for all)."""

    @property
    def target_type(self) -> Target:
        """The tag target of the items (the Picsellia SDK's name for it)."""
        return Target.ASSET

    def _chunks(self) -> list[list[str]]:
        ids = [str(i) for i in dict.fromkeys(self.ids)]
        return [ids[i : i + BULK_CHUNK] for i in range(0, len(ids), BULK_CHUNK)]

    @paused_gc()
    def add_tags(self, tags: Tag | str | Sequence[Tag | str]) -> None:
        """Attach a Tag, a tag name, or a list of them to every item (names not known yet
        are created)."""
        link_tags(self._connection, "attach", Target.ASSET, self.ids, tags, BULK_CHUNK)

    @paused_gc()
    def remove_tags(self, tags: Tag | str | Sequence[Tag | str]) -> None:
        """Detach a Tag, a tag name, or a list of them from every item (an unknown name is
        a NotFoundError)."""
        link_tags(self._connection, "detach", Target.ASSET, self.ids, tags, BULK_CHUNK)

    @paused_gc()
    def delete(self) -> None:
        """Move these assets, with their annotations, to the trash of their version."""
        for chunk in self._chunks():
            self._connection.request("POST", "/assets/delete", json={"ids": chunk})

    @paused_gc()
    def delete_annotations(self, workers: list[Worker] | None = None) -> None:
        """Move every annotation of these assets (only the given workers' ones) to the
        trash."""
        worker_ids = _worker_ids(workers)
        for chunk in self._chunks():
            self._connection.request(
                "POST", "/annotations/delete", json={"asset_ids": chunk, "worker_ids": worker_ids}
            )

    def download(
        self,
        target_path: str | Path = "./",
        force_replace: bool = False,
        max_workers: int | None = None,
    ) -> int:
        """Download every asset's file into ``target_path`` with a thread pool and one
        progress bar; existing files are skipped unless ``force_replace``.

        Args:
            target_path: folder to write into (created if missing).
            force_replace: download files that already exist again.
            max_workers: parallel downloads; defaults to ``os.cpu_count() + 4``.

        Returns:
            How many files were written (existing ones skipped are not counted).

        A data listed twice is written once. Two data with the same filename are both
        written: the first keeps it, the next is ``<stem>.<last 8 hex digits of its
        id><ext>`` (``cat.jpg``, ``cat.9f3a0c1e.jpg``); names differing only in case count
        as the same.
        """
        jobs = [DownloadJob(asset.data_id, asset.filename) for asset in self.items]
        return download_all(
            self._connection,
            jobs,
            target_path,
            force_replace=force_replace,
            max_workers=max_workers,
        )

    def as_list_of_data(self) -> list[Data]:
        """The Data of these assets, fetched fresh; they may come from several datalakes."""
        data_ids = [str(asset.data_id) for asset in self.items]
        found: list[Data] = []
        for start in range(0, len(data_ids), BULK_CHUNK):
            rows = self._connection.request(
                "POST", "/data/by-ids", json={"ids": data_ids[start : start + BULK_CHUNK]}
            )
            found.extend(Data(self._connection, item) for item in parse_many(DataPublic, rows))
        return found

    def as_multidata(self, force_refresh: bool = True) -> MultiData:
        """The Data of these assets as a MultiData; they must share one datalake.

        Args:
            force_refresh: fetch the data from the platform; when False, build them from
                what the assets already hold, without any request.

        Raises:
            BadRequestError: the assets come from more than one datalake.
        """
        datalakes = {asset.datalake_id for asset in self.items}
        if len(datalakes) > 1:
            raise BadRequestError(
                f"these assets come from {len(datalakes)} datalakes; a MultiData holds data "
                "of one datalake (use as_list_of_data())",
                details={"datalake_ids": sorted(str(d) for d in datalakes)},
            )
        if force_refresh:
            return MultiData(self._connection, self.as_list_of_data())
        return MultiData(
            self._connection, [Data(self._connection, a.to_data_schema()) for a in self.items]
        )
