"""Data (one stored file of a datalake) and MultiData (many of them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pixlake.enums import DataType, Target
from pixlake.schemas import DataPublic, UrlPublic
from pixlake.sdk.arguments import renamed_argument
from pixlake.sdk.base import SchemaField, SdkObject, Taggable, link_tags
from pixlake.sdk.local_files import SkippedFile
from pixlake.sdk.multi import MultiObject
from pixlake.sdk.transfer import DownloadJob, download_all
from pixlake.validation import check_json

if TYPE_CHECKING:
    from pixlake.sdk.connection import Connection
    from pixlake.sdk.tag import Tag

__all__ = ["Data", "MultiData", "ReadableBytes"]


class ReadableBytes:
    """``url`` and ``reset_url`` for an object whose bytes the platform hands out by URL."""

    _connection: Connection
    _url: str | None = None

    def _url_route(self) -> str:
        """The route that answers a ``POST`` with a fresh URL of the bytes."""
        raise NotImplementedError

    @property
    def url(self) -> str:
        """A URL to read the bytes from, asked for on first use (see ``reset_url``)."""
        return self._url or self.reset_url()

    def reset_url(self) -> str:
        """Ask the platform for a fresh URL to read the bytes from and return it.

        With an S3 bucket it is a presigned URL of the bucket; with a local store, in server
        mode a signed URL of the API; both expire (one hour by default). In embedded mode it
        is a ``file://`` URL of the workspace's object store.
        """
        answer = UrlPublic.model_validate(self._connection.request("POST", self._url_route()))
        self._url = answer.url
        return answer.url


class Data(ReadableBytes, Taggable, SdkObject[DataPublic]):
    """One image or video stored in a datalake."""

    _tag_target = Target.DATA

    def _url_route(self) -> str:
        return f"/data/{self.id}/url"

    datalake_id = SchemaField[UUID]()
    object_name = SchemaField[str]()
    filename = SchemaField[str]()
    type = SchemaField[DataType]()
    content_type = SchemaField[str]()
    size = SchemaField[int]()
    checksum = SchemaField[str]()
    width = SchemaField[int | None]()
    height = SchemaField[int | None]()
    duration = SchemaField[float | None]()
    large = SchemaField[bool]()
    metadata = SchemaField[dict[str, Any]]()
    custom_metadata = SchemaField[dict[str, Any]]()
    created_at = SchemaField[datetime]()

    def sync(self) -> dict[str, Any]:
        """Refresh this object from the platform; returns its fields as a dict."""
        self._schema = DataPublic.model_validate(
            self._connection.request("GET", f"/data/{self.id}")
        )
        return self._schema.model_dump(mode="json")

    def update_custom_metadata(
        self,
        custom_metadata: dict[str, Any] | None = None,
        *,
        values: dict[str, Any] | None = None,
    ) -> None:
        """Merge ``custom_metadata`` into this data's (keys given replace existing ones).

        ``custom_metadata`` is the Picsellia SDK's name for the argument; ``values``, the
        name pixlake gave it first, is still taken as a keyword.
        """
        values = renamed_argument(custom_metadata, values, "custom_metadata", "values")
        # Checked here too: NaN, say, would otherwise fail inside the JSON encoder.
        check_json(values, "custom_metadata", max_bytes=None)
        self._schema = DataPublic.model_validate(
            self._connection.request(
                "PATCH", f"/data/{self.id}/custom-metadata", json={"custom_metadata": values}
            )
        )

    def download(self, target_path: str | Path = "./", force_replace: bool = False) -> None:
        """Write the file as ``target_path/filename``; an existing file is kept unless
        ``force_replace``. Nothing partial is ever left at the target."""
        MultiData(self._connection, [self]).download(target_path, force_replace, max_workers=1)

    def delete(self) -> None:
        """Delete this data from its datalake, bytes included."""
        self._connection.request("DELETE", f"/data/{self.id}")


class MultiData(MultiObject[Data]):
    """Many Data, with bulk operations (one request, or fixed-size chunks, for all)."""

    @property
    def target_type(self) -> Target:
        """The tag target of the items (the Picsellia SDK's name for it)."""
        return Target.DATA

    skipped: tuple[SkippedFile, ...] = ()
    """On the result of a folder upload: the entries of the folders that were not media,
    each with its path as given and the reason (empty otherwise)."""

    def add_tags(self, tags: Tag | str | Sequence[Tag | str]) -> None:
        """Attach a Tag, a tag name, or a list of them to every item (names not known yet
        are created)."""
        link_tags(self._connection, "attach", Target.DATA, self.ids, tags)

    def remove_tags(self, tags: Tag | str | Sequence[Tag | str]) -> None:
        """Detach a Tag, a tag name, or a list of them from every item (an unknown name is
        a NotFoundError)."""
        link_tags(self._connection, "detach", Target.DATA, self.ids, tags)

    def delete(self) -> None:
        """Delete every data of this collection (all or none)."""
        ids = [str(i) for i in dict.fromkeys(self.ids)]
        if ids:
            self._connection.request("POST", "/data/delete", json={"ids": ids})

    def download(
        self,
        target_path: str | Path = "./",
        force_replace: bool = False,
        max_workers: int | None = None,
    ) -> int:
        """Download every file into ``target_path`` with a thread pool and one progress bar.

        Args:
            target_path: folder to write into (created if missing).
            force_replace: download files that already exist at their target again.
            max_workers: parallel downloads; defaults to ``os.cpu_count() + 4``.

        Returns:
            How many files were written (existing ones skipped are not counted).

        A data listed twice is written once. Two data with the same filename are both
        written: the first keeps it, the next is ``<stem>.<last 8 hex digits of its
        id><ext>`` (``cat.jpg``, ``cat.9f3a0c1e.jpg``); names differing only in case count
        as the same.
        """
        jobs = [DownloadJob(data.id, data.filename) for data in self.items]
        return download_all(
            self._connection,
            jobs,
            target_path,
            force_replace=force_replace,
            max_workers=max_workers,
        )
