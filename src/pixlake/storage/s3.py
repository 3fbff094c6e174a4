"""Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, rclone serve s3...).

Endpoint, region and credentials are found the standard AWS way: ``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, ``AWS_PROFILE``
and the shared config and credentials files.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from pixlake.errors import StorageError
from pixlake.permissions import make_private_dirs
from pixlake.storage.base import (
    MEMORY_STAGING_MAX_FILE,
    DirectUpload,
    MemoryBudget,
    ObjectStorage,
    StagedObject,
    StoredItem,
)
from pixlake.storage.signed_put import SignedPut

__all__ = ["S3Storage"]

_DELETE_BATCH = 1000  # the most one DeleteObjects request takes
_MAX_DIRECT_PARTS = 1000
"""Parts of one direct upload at most (S3 allows 10,000): parts grow with the object, so
that the answer listing their URLs stays small (50 GiB go up in parts of about 51 MiB)."""
_MiB = 1024 * 1024


class S3Storage(ObjectStorage):
    """Keeps each object at ``s3://bucket/prefix/<object_name>``.

    Incoming bytes are staged (to be hashed and probed before anything is visible), then
    uploaded; files at or above ``multipart_threshold`` go up in parts. Small files are
    staged in memory within ``memory_budget`` bytes for the whole process, the others in a
    local folder: a file write, read and delete per upload would cost more than the put.
    Those in memory go up in one signed request (``SignedPut``) rather than through boto3.
    Clients read objects through presigned URLs of the bucket, never through the API, and
    put the bytes of model files through them too (``direct_upload``).
    """

    direct_uploads = True

    def __init__(
        self,
        bucket: str,
        prefix: str,
        staging_dir: Path,
        *,
        multipart_threshold: int,
        memory_budget: int = 0,
    ) -> None:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.staging_dir = Path(staging_dir)
        make_private_dirs(self.staging_dir)
        if memory_budget > 0:
            self.memory_budget = MemoryBudget(memory_budget)
            # Files from the threshold go up in parts, from a staging file.
            self.memory_staging_max_file = min(MEMORY_STAGING_MAX_FILE, multipart_threshold - 1)
        session = boto3.session.Session()
        config = Config(
            signature_version="s3v4",
            max_pool_connections=32,
            retries={"max_attempts": 3, "mode": "standard"},
        )
        self.client = session.client("s3", config=config)
        if _on_aws(self.client) and "." not in bucket:
            # botocore presigns against the legacy global endpoint, which Regions opened
            # since 2019 refuse; with explicit virtual hosting URLs name the bucket's Region.
            # (Dotted names stay path-style: they would not match the TLS certificate.)
            self.client = session.client(
                "s3", config=config.merge(Config(s3={"addressing_style": "virtual"}))
            )
        self._signed_put = SignedPut.for_client(self.client, session, bucket)
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=max(8 * 1024 * 1024, multipart_threshold // 4),
        )

    def _key(self, object_name: str) -> str:
        return f"{self.prefix}/{object_name}" if self.prefix else object_name

    def _fail(self, action: str, exc: Exception) -> StorageError:
        return StorageError(f"could not {action} in bucket {self.bucket!r}: {_reason(exc)}")

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:  # botocore raises several unrelated classes
            raise StorageError(f"bucket {self.bucket!r} can't be used: {_reason(exc)}") from exc

    def new_staging_path(self) -> Path:
        return self.staging_dir / f"{uuid.uuid4().hex}.part"

    def commit(self, staged: StagedObject, object_name: str) -> None:
        key = self._key(object_name)
        try:
            source = staged.source
            if isinstance(source, bytes):
                self._put_bytes(key, source, staged.checksum)
            elif staged.size < self._transfer.multipart_threshold:
                assert staged.path is not None  # no bytes in memory: they are in a file
                # One request: upload_file would set up a transfer manager per object.
                with open(source, "rb") as body:
                    self.client.put_object(Bucket=self.bucket, Key=key, Body=body)
            else:
                self.client.upload_file(str(source), self.bucket, key, Config=self._transfer)
        except Exception as exc:
            raise self._fail(f"store object {object_name!r}", exc) from exc
        self.discard(staged)

    def _put_bytes(self, key: str, data: bytes, checksum: str) -> None:
        if self._signed_put is None or not self._signed_put(key, data, checksum):
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def open(self, object_name: str) -> BinaryIO:
        return self.open_sized(object_name)[0]

    def open_sized(self, object_name: str) -> tuple[BinaryIO, int]:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(object_name))
        except Exception as exc:
            raise self._fail(f"read object {object_name!r}", exc) from exc
        return answer["Body"], answer["ContentLength"]

    def delete(self, object_name: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(object_name))
        except Exception as exc:
            raise self._fail(f"delete object {object_name!r}", exc) from exc

    def exists(self, object_name: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(object_name))
        except self.client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._fail(f"look up object {object_name!r}", exc) from exc
        return True

    def _listed_prefix(self) -> str:
        return f"{self.prefix}/" if self.prefix else ""

    def list_objects(self) -> Iterator[StoredItem]:
        prefix = self._listed_prefix()
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            ):
                for obj in page.get("Contents", ()):
                    yield StoredItem(
                        obj["Key"][len(prefix) :],
                        obj["Size"],
                        obj["LastModified"].timestamp(),
                        version=obj.get("ETag"),
                    )
        except Exception as exc:
            raise self._fail("list objects", exc) from exc

    def delete_unchanged(self, items: Sequence[StoredItem]) -> list[StoredItem]:
        """Deletes in batches of 1,000 (one request each). A bucket can't delete only if
        unchanged, nor rename: an object written again between the listing and the delete
        is deleted too. Callers keep that window to one batch (see the orphan sweep)."""
        removed: list[StoredItem] = []
        for start in range(0, len(items), _DELETE_BATCH):
            batch = items[start : start + _DELETE_BATCH]
            try:
                answer = self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={
                        "Objects": [{"Key": self._key(item.name)} for item in batch],
                        "Quiet": True,
                    },
                )
            except Exception as exc:
                raise self._fail("delete objects", exc) from exc
            if errors := answer.get("Errors"):
                first = errors[0]
                raise StorageError(
                    f"could not delete object {first.get('Key')!r} in bucket "
                    f"{self.bucket!r}: {first.get('Code')} {first.get('Message')}"
                )
            removed.extend(batch)
        return removed

    def list_unfinished_uploads(self, started_before: float) -> Iterator[StoredItem]:
        prefix = self._listed_prefix()
        try:
            for page in self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=prefix
            ):
                for upload in page.get("Uploads", ()):
                    started = upload["Initiated"].timestamp()
                    if started < started_before:
                        size = self._size_of_upload(upload["Key"], upload["UploadId"])
                        yield StoredItem(
                            upload["Key"][len(prefix) :], size, started, version=upload["UploadId"]
                        )
        except Exception as exc:
            if not _no_such_upload(exc):  # some stores answer so for a bucket without any
                raise self._fail("list unfinished uploads", exc) from exc

    def _size_of_upload(self, key: str, upload_id: str) -> int:
        try:
            return sum(
                part["Size"]
                for page in self.client.get_paginator("list_parts").paginate(
                    Bucket=self.bucket, Key=key, UploadId=upload_id
                )
                for part in page.get("Parts", ())
            )
        except Exception as exc:
            if _no_such_upload(exc):  # completed or aborted since it was listed
                return 0
            raise

    def abort_upload(self, item: StoredItem) -> None:
        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self._key(item.name), UploadId=item.version
            )
        except Exception as exc:
            raise self._fail(f"abort the unfinished upload of {item.name!r}", exc) from exc

    def direct_upload(self, object_name: str, size: int, expiry_seconds: int) -> DirectUpload:
        """One presigned PUT below the multipart threshold; from it, a multipart upload with
        a presigned URL per part (parts of ``multipart_chunksize`` or more)."""
        key = self._key(object_name)
        if size < self._transfer.multipart_threshold:
            url = self._presign("put_object", {"Key": key}, expiry_seconds)
            return DirectUpload(urls=[url], part_size=max(size, 1))
        part_size = max(self._transfer.multipart_chunksize, -(-size // _MAX_DIRECT_PARTS))
        part_size = -(-part_size // _MiB) * _MiB
        try:
            upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
        except Exception as exc:
            raise self._fail(f"start the upload of {object_name!r}", exc) from exc
        urls = [
            self._presign(
                "upload_part",
                {"Key": key, "UploadId": upload_id, "PartNumber": number},
                expiry_seconds,
            )
            for number in range(1, -(-size // part_size) + 1)
        ]
        return DirectUpload(urls=urls, part_size=part_size, upload_id=upload_id)

    def _presign(self, method: str, params: dict[str, Any], expiry_seconds: int) -> str:
        return self.client.generate_presigned_url(  # type: ignore[no-any-return]
            method, Params={"Bucket": self.bucket, **params}, ExpiresIn=expiry_seconds
        )

    def finish_direct_upload(self, object_name: str, upload_id: str, size: int) -> bool:
        """Completes the upload with the parts the store holds (listed by the store itself,
        not taken from the client), once they hold ``size`` bytes in all. An upload
        completed already (a retry) is not an error."""
        key = self._key(object_name)
        try:
            parts = [
                part
                for page in self.client.get_paginator("list_parts").paginate(
                    Bucket=self.bucket, Key=key, UploadId=upload_id
                )
                for part in page.get("Parts", ())
            ]
        except Exception as exc:
            if _no_such_upload(exc):
                return self.size_of(object_name) == size  # completed by an earlier try
            raise self._fail(f"list the parts of the upload of {object_name!r}", exc) from exc
        if not parts or sum(part["Size"] for part in parts) != size:
            return False
        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={
                    "Parts": [
                        {"PartNumber": part["PartNumber"], "ETag": part["ETag"]}
                        for part in sorted(parts, key=lambda part: part["PartNumber"])
                    ]
                },
            )
        except Exception as exc:
            raise self._fail(f"complete the upload of {object_name!r}", exc) from exc
        return True

    def size_of(self, object_name: str) -> int | None:
        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=self._key(object_name))
        except self.client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise self._fail(f"look up object {object_name!r}", exc) from exc
        return int(answer["ContentLength"])

    def presigned_url(
        self,
        object_name: str,
        content_type: str,
        expiry_seconds: int,
        *,
        disposition: str | None = None,
        cache_control: str | None = None,
    ) -> str:
        # S3 answers a GET with the response-* headers its (signed) URL asks for.
        params = {
            "Bucket": self.bucket,
            "Key": self._key(object_name),
            "ResponseContentType": content_type,
        }
        if disposition is not None:
            params["ResponseContentDisposition"] = disposition
        if cache_control is not None:
            params["ResponseCacheControl"] = cache_control
        return self.client.generate_presigned_url(  # type: ignore[no-any-return]
            "get_object", Params=params, ExpiresIn=expiry_seconds
        )


def _on_aws(client: Any) -> bool:
    """Whether the client talks to AWS itself rather than a configured S3-compatible store."""
    host = urlsplit(client.meta.endpoint_url).hostname or ""
    return host.endswith((".amazonaws.com", ".amazonaws.com.cn"))


def _no_such_upload(exc: Exception) -> bool:
    response: Any = getattr(exc, "response", None)
    return isinstance(response, dict) and response.get("Error", {}).get("Code") == "NoSuchUpload"


def _reason(exc: Exception) -> str:
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        code, message = error.get("Code", ""), error.get("Message", "")
        hints = {
            "404": "no such bucket",
            "NoSuchBucket": "no such bucket",
            "403": "access denied (check the credentials)",
            "InvalidAccessKeyId": "unknown access key (check the credentials)",
            "SignatureDoesNotMatch": "wrong secret key (check the credentials)",
        }
        return hints.get(code) or f"{code} {message}".strip()
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
