"""The next page's key in a header of a listing's page (``NEXT_AFTER_HEADER``), as the
body has it, in every deployment; none on the last page; another organization's listing
answers 404 as before."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from pixlake import Client
from pixlake.errors import NotFoundError
from pixlake.schemas import NEXT_AFTER_HEADER


def pages(client: Client, path: str, size: int) -> list[tuple[str | None, str | None, int]]:
    """(header, body's next_after, item count) of each page of ``POST path``."""
    connection = client._connection
    found = []
    after = None
    while True:
        body = {"limit": size} if after is None else {"limit": size, "after": after}
        answer = connection.request_undecoded("POST", path, json=body)
        page = orjson.loads(answer.content)
        found.append(
            (answer.headers.get(NEXT_AFTER_HEADER), page["next_after"], len(page["items"]))
        )
        after = page["next_after"]
        if after is None:
            return found


def test_each_page_but_the_last_names_the_next_in_a_header(
    client: Client, other_client: Client, images: list[Path]
) -> None:
    lake = client.get_datalake()
    data = lake.upload_data(images)  # five
    version = client.create_dataset("pages").create_version("v1")
    version.add_data(data)
    for path in (f"/datalakes/{lake.id}/data/search", f"/versions/{version.id}/assets/search"):
        found = pages(client, path, 2)
        assert [count for _, _, count in found] == [2, 2, 1]
        assert [header for header, _, _ in found] == [after for _, after, _ in found]
        assert found[-1][0] is None and all(header for header, _, _ in found[:-1])
        with pytest.raises(NotFoundError):
            other_client._connection.request_undecoded("POST", path, json={"limit": 2})
