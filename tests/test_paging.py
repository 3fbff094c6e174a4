"""Keyset paging in the SDK: the requests it sends, and the next page fetched ahead."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import orjson
import pytest

import pixlake.sdk.paging
from pixlake.embedded import IN_PROCESS
from pixlake.errors import NotFoundError
from pixlake.schemas import NEXT_AFTER_HEADER
from pixlake.sdk.connection import OVER_THE_NETWORK, UndecodedAnswer
from pixlake.sdk.paging import keyset_pages


class Listing:
    """An API listing of ``total`` numbered items, answering like the server does."""

    def __init__(
        self,
        total: int,
        *,
        embedded: bool = False,
        fail_on_page: int | None = None,
        hold_later_pages: bool = False,
        next_key_header: bool = True,
    ):
        self.items = list(range(total))
        self.next_key_header = next_key_header
        self.capabilities = IN_PROCESS if embedded else OVER_THE_NETWORK
        self.fail_on_page = fail_on_page
        self.released = threading.Event()  # later pages wait for it when held
        if not hold_later_pages:
            self.released.set()
        self.requests: list[dict[str, Any]] = []
        self.threads: set[str] = set()
        self.answered = threading.Condition()

    def request_undecoded(self, method: str, path: str, *, json: dict[str, Any]) -> UndecodedAnswer:
        assert (method, path) == ("POST", "/things/search")
        with self.answered:
            self.requests.append(json)
            self.threads.add(threading.current_thread().name)
            self.answered.notify_all()
        if "after" in json:
            self.released.wait(timeout=10)
        if self.fail_on_page == len(self.requests):
            raise NotFoundError("the listing went away")
        start = 0 if "after" not in json else int(json["after"]) + 1
        start += json.get("offset", 0)
        page = self.items[start : start + json["limit"]]
        more = start + json["limit"] < len(self.items)
        next_after = str(page[-1]) if more and page else None  # keys are text, as ids are
        headers = httpx.Headers()
        if self.next_key_header and next_after is not None:
            headers[NEXT_AFTER_HEADER] = next_after
        body = orjson.dumps({"items": page, "next_after": next_after})
        return UndecodedAnswer(body, headers)

    def wait_for(self, count: int) -> bool:
        with self.answered:
            return self.answered.wait_for(lambda: len(self.requests) >= count, timeout=5)


def listed(listing: Listing, query: dict[str, Any], limit: int | None, size: int) -> list[int]:
    pages = keyset_pages(
        listing,
        "/things/search",
        query,
        limit=limit,  # type: ignore[arg-type]
        page_size=size,
    )
    return [item for page in pages for item in page]


@pytest.mark.parametrize("embedded", [False, True], ids=["server", "embedded"])
def test_every_item_once_in_order(embedded: bool) -> None:
    listing = Listing(23, embedded=embedded)
    assert listed(listing, {"tags": ["a"]}, None, 5) == list(range(23))
    assert [r.get("after") for r in listing.requests] == [None, "4", "9", "14", "19"]
    assert all(r["tags"] == ["a"] and r["limit"] == 5 for r in listing.requests)


@pytest.mark.parametrize("header", [True, False], ids=["next-key-header", "body-only"])
def test_pages_are_decoded_by_the_thread_that_uses_them_when_the_next_key_is_a_header(
    header: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded_in: list[str] = []

    def loads(content: bytes) -> Any:
        decoded_in.append(threading.current_thread().name)
        return orjson.loads(content)

    monkeypatch.setattr(pixlake.sdk.paging, "orjson", type("orjson", (), {"loads": loads}))
    listing = Listing(23, next_key_header=header)
    assert listed(listing, {}, None, 5) == list(range(23))
    here = threading.current_thread().name
    if header:  # the last page has no next key: decoded where it arrived
        assert decoded_in[:4] == [here] * 4 and decoded_in[4] != here
    else:
        assert decoded_in[0] == here and set(decoded_in[1:]) == {"pixlake-next-page_0"}
    assert len(decoded_in) == 5


def test_the_offset_applies_to_the_first_page_only() -> None:
    listing = Listing(30)
    assert listed(listing, {"offset": 7}, None, 10) == list(range(7, 30))
    assert [r["offset"] for r in listing.requests] == [7, 0, 0]


def test_a_limit_cuts_the_last_page_and_asks_no_further() -> None:
    listing = Listing(100)
    assert listed(listing, {}, 12, 5) == list(range(12))
    assert [r["limit"] for r in listing.requests] == [5, 5, 2]


def test_a_limit_of_zero_sends_nothing() -> None:
    listing = Listing(10)
    assert listed(listing, {}, 0, 5) == []
    assert listing.requests == []


def test_the_next_page_is_asked_for_before_this_one_is_used() -> None:
    listing = Listing(20)
    pages = keyset_pages(
        listing,
        "/things/search",
        {},
        limit=None,  # type: ignore[arg-type]
        page_size=5,
    )
    assert next(pages) == [0, 1, 2, 3, 4]
    assert listing.wait_for(2)  # page two is on its way while page one is in our hands
    assert listing.threads == {threading.current_thread().name, "pixlake-next-page_0"}
    assert [item for page in pages for item in page] == list(range(5, 20))


def test_leaving_early_does_not_wait_for_the_page_on_its_way() -> None:
    listing = Listing(20, hold_later_pages=True)
    pages = keyset_pages(
        listing,
        "/things/search",
        {},
        limit=None,  # type: ignore[arg-type]
        page_size=5,
    )
    assert next(pages) == [0, 1, 2, 3, 4]
    assert listing.wait_for(2)
    started = time.monotonic()
    pages.close()
    assert time.monotonic() - started < 5  # the held request would take 10 s
    listing.released.set()
    assert len(listing.requests) == 2


def test_an_error_in_the_caller_does_not_wait_for_the_page_on_its_way() -> None:
    listing = Listing(20, hold_later_pages=True)
    started = time.monotonic()
    with pytest.raises(ZeroDivisionError):
        for page in keyset_pages(
            listing,
            "/things/search",
            {},  # type: ignore[arg-type]
            limit=None,
            page_size=5,
        ):
            assert listing.wait_for(2)
            page.append(1 / 0)
    assert time.monotonic() - started < 5
    listing.released.set()


def test_embedded_pages_are_fetched_in_the_calling_thread() -> None:
    listing = Listing(20, embedded=True)
    assert listed(listing, {}, None, 5) == list(range(20))
    assert listing.threads == {threading.current_thread().name}


@pytest.mark.parametrize("embedded", [False, True], ids=["server", "embedded"])
def test_a_failed_page_raises_when_it_is_due(embedded: bool) -> None:
    listing = Listing(20, embedded=embedded, fail_on_page=3)
    pages = keyset_pages(
        listing,
        "/things/search",
        {},
        limit=None,  # type: ignore[arg-type]
        page_size=5,
    )
    assert next(pages) == [0, 1, 2, 3, 4]
    assert next(pages) == [5, 6, 7, 8, 9]
    with pytest.raises(NotFoundError, match="went away"):
        next(pages)
