"""The web app in a real browser: Debian's chromium driven by playwright, against a real
server on 127.0.0.1 (the session's ``live_server``).

One browser for the module and one organization's data, made once through the SDK: a
version with labelled shapes of every kind, tags on assets, and names holding markup. Each
test opens its own page in a signed-in context. Screenshots go to pytest's temporary folder
(or ``PIXLAKE_TEST_ARTIFACTS``), never into the repository.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from pixlake import Client
from pixlake.core.workspace import open_workspace
from pixlake.enums import AnnotationStatus
from pixlake.samples import make_image
from pixlake.sdk.annotation import Annotation
from pixlake.sdk.asset import Asset
from pixlake.sdk.dataset_version import DatasetVersion
from pixlake.server.serving import uvicorn_config
from pixlake.settings import Settings
from pixlake.web.local import login_url, workspace_app
from tests.conftest import LiveServer, free_port

CHROMIUM = Path("/usr/bin/chromium")

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extras) is missing")
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium",
        allow_module_level=True,
    )

# A page runs no script of a name: each payload would set this flag (or open a dialog).
FLAG = "__pixlake_pwned"
MARKUP_TAG = f'<img src=x onerror="window.{FLAG}=1;alert(1)">'
MARKUP_LABEL = f'"><script>window.{FLAG}=2;alert(2)</script>'
MARKUP_DATASET = f'<svg onload="window.{FLAG}=3"><b>set</b>'
# Filenames can't hold < > or " (pixlake.filenames): this one holds what an HTML parser
# would decode into markup, so it must be shown exactly as written.
MARKUP_FILENAME = "&lt;img src=x onerror=alert(4)&gt;.png"

# The known box: on a 200 x 100 image, 40 px from the left, 10 from the top, 60 x 30.
BOX = (40.0, 10.0, 60.0, 30.0)
BOX_IMAGE = (200, 100)


@dataclass
class World:
    server: LiveServer
    token: str
    client: Client
    version: DatasetVersion
    assets: dict[str, Asset]
    annotations: dict[str, Annotation]
    shapes_drawn: int
    markup_version: DatasetVersion
    markup_asset: Asset
    image_paths: list[Path] = field(default_factory=list)
    datalake_id: str = ""

    def url(self, fragment: str = "") -> str:
        return f"{self.server.url}/{fragment}"


@pytest.fixture(scope="module")
def world(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> World:
    """Five images in a version: boxed-cat (one known box, label cat), two-dogs (two
    boxes, label dog), mixed (a polygon, a line and a point), plain (a classification
    only) and empty (no annotation); tags 'train' on the first two, 'night' on mixed."""
    _username, token = live_server.new_user()
    client = Client(api_token=token, host=live_server.url)
    folder = tmp_path_factory.mktemp("webapp-images")
    sizes = {
        "boxed-cat.png": BOX_IMAGE,
        "two-dogs.png": (160, 120),
        "mixed.png": (120, 160),
        "plain.png": (100, 100),
        "empty.png": (80, 60),
        MARKUP_FILENAME: (90, 90),
    }
    paths = [
        make_image(folder / name, width, height, seed=index)
        for index, (name, (width, height)) in enumerate(sizes.items())
    ]
    datalake = client.get_datalake()
    data = datalake.upload_data(paths)
    by_name = {item.filename: item for item in data}

    dataset = client.create_dataset("animals")
    version = dataset.create_version("v1")
    plain_names = [name for name in sizes if name != MARKUP_FILENAME]
    added = version.add_data([by_name[name] for name in plain_names])
    assets = {asset.filename: asset for asset in added}
    cat = version.create_label("cat")
    dog = version.create_label("dog")
    thing = version.create_label("thing")

    annotations: dict[str, Annotation] = {}
    annotations["boxed-cat.png"] = assets["boxed-cat.png"].create_annotation()
    annotations["boxed-cat.png"].create_rectangle(*BOX, cat)
    annotations["two-dogs.png"] = assets["two-dogs.png"].create_annotation()
    annotations["two-dogs.png"].create_multiple_rectangles(
        [(5, 5, 50, 40, dog), (70, 50, 60, 50, dog)]
    )
    annotations["mixed.png"] = assets["mixed.png"].create_annotation()
    annotations["mixed.png"].create_polygon([[10, 10], [60, 20], [30, 80]], thing)
    annotations["mixed.png"].create_line([[0, 150], [110, 100]], dog)
    annotations["mixed.png"].create_point([60, 60], cat)
    annotations["plain.png"] = assets["plain.png"].create_annotation()
    annotations["plain.png"].create_classification(thing)
    assets["boxed-cat.png"].add_tags(client.get_or_create_tag("train", "ASSET"))
    assets["two-dogs.png"].add_tags(client.get_or_create_tag("train", "ASSET"))
    assets["mixed.png"].add_tags(client.get_or_create_tag("night", "ASSET"))

    # Names holding markup, in a dataset of their own.
    markup_dataset = client.create_dataset(MARKUP_DATASET)
    markup_version = markup_dataset.create_version(MARKUP_LABEL)
    (markup_asset,) = markup_version.add_data([by_name[MARKUP_FILENAME]])
    markup_label = markup_version.create_label(MARKUP_LABEL)
    markup_annotation = markup_asset.create_annotation()
    markup_annotation.create_rectangle(10, 10, 30, 30, markup_label)
    markup_asset.add_tags(client.get_or_create_tag(MARKUP_TAG, "ASSET"))
    by_name[MARKUP_FILENAME].add_tags(client.get_or_create_tag(MARKUP_TAG, "DATA"))
    by_name[MARKUP_FILENAME].update_custom_metadata({MARKUP_TAG: MARKUP_LABEL})

    return World(
        server=live_server,
        token=token,
        client=client,
        version=version,
        assets=assets,
        annotations=annotations,
        shapes_drawn=1 + 2 + 3,  # the classification has no geometry
        markup_version=markup_version,
        markup_asset=markup_asset,
        image_paths=paths,
        datalake_id=str(datalake.id),
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("PIXLAKE_TEST_ARTIFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("webapp-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Watched:
    """A page, with what it let slip: dialogs opened, errors thrown, CSP violations."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def flag(self) -> Any:
        return self.page.evaluate(f"() => window.{FLAG}")

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("() => window.__csp || []"))


def watch(page: Any) -> Watched:
    watched = Watched(page)

    def on_dialog(dialog: Any) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    page.on(
        "console",
        lambda msg: watched.console.append(msg.text) if msg.type == "error" else None,
    )
    # Playwright's init scripts run outside the page's CSP: this one only listens.
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));"
    )
    page.set_default_timeout(10_000)
    return watched


def sign_in(page: Any, world: World) -> None:
    page.goto(world.url())
    page.wait_for_url("**/ui/signin**")
    page.fill("#token", world.token)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#datasets")


@pytest.fixture(scope="module")
def session_state(browser: Any, world: World) -> Any:
    """The cookies of one sign-in through the page, shared by the tests' contexts."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, world)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def signed_in(browser: Any, world: World, session_state: Any) -> Iterator[Watched]:
    """A page of a signed-in context (blank: each test opens its view)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, storage_state=session_state
    )
    page = context.new_page()
    watched = watch(page)
    yield watched
    violations = watched.csp_violations()
    context.close()
    assert not watched.errors, watched.errors
    assert not violations, violations


def shown(page: Any) -> None:
    """Wait until the view of the page's URL is drawn in full (the app marks it)."""
    page.wait_for_function(
        "() => document.querySelector('#view')?.dataset.shown === (location.hash || '#/')"
    )


def open_gallery(watched: Watched, world: World, query: str = "") -> Any:
    page = watched.page
    page.goto(world.url(f"#/versions/{world.version.id}{query}"))
    shown(page)
    return page


def thumb_filenames(page: Any) -> set[str]:
    return set(page.locator(".thumb .filename").all_text_contents())


# Sign-in


def test_sign_in_refuses_a_wrong_token_then_opens_the_app(browser: Any, world: World) -> None:
    context = browser.new_context()
    page = context.new_page()
    watched = watch(page)
    page.goto(world.url(f"#/versions/{world.version.id}"))
    page.wait_for_url("**/ui/signin**")
    page.fill("#token", "pxl_not-a-token")
    page.click("#signin-form button[type=submit]")
    error = page.wait_for_selector("#signin-status .message.error")
    assert "not valid" in error.text_content()
    assert not [c for c in context.cookies() if c["name"] == "pixlake_session"]

    page.fill("#token", world.token)
    page.click("#signin-form button[type=submit]")
    # Back to the view asked for before signing in.
    page.wait_for_selector("#grid .thumb")
    session = [c for c in context.cookies() if c["name"] == "pixlake_session"]
    assert session and session[0]["httpOnly"] and session[0]["sameSite"] == "Strict"

    page.click("#sign-out")
    page.wait_for_url("**/ui/signin**")
    assert not [c for c in context.cookies() if c["name"] == "pixlake_session"]
    page.goto(world.url())
    page.wait_for_url("**/ui/signin**")
    context.close()
    assert not watched.errors


def test_pixlake_ui_link_opens_the_app_signed_in_once(browser: Any, tmp_path: Path) -> None:
    """`pixlake ui`'s app and link (in process here; tests/test_webapp_sessions.py runs the
    command itself): the embedded workspace opens signed in as its owner, once."""
    settings = Settings(workspace=tmp_path / "workspace")
    opened = open_workspace(settings)
    embedded = Client(workspace=settings.workspace)
    embedded.create_dataset("holidays").create_version("first")
    embedded.close()
    app = workspace_app(opened)
    port = free_port()
    server = uvicorn.Server(
        uvicorn_config(app, settings, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    context = browser.new_context()
    try:
        while not server.started:
            time.sleep(0.02)
        link = login_url(app, opened, f"http://127.0.0.1:{port}")
        page = context.new_page()
        watched = watch(page)
        page.goto(link)
        sync_api.expect(page.locator("#datasets")).to_contain_text("holidays")
        assert "owner" in page.text_content("#who")
        fresh = browser.new_page()
        fresh.goto(link)
        fresh.wait_for_url("**/ui/signin?error=used_link**")
        assert "used already" in fresh.text_content("#signin-status")
        fresh.close()
        assert not watched.errors
    finally:
        context.close()
        server.should_exit = True
        thread.join(timeout=10)
        opened.close()


def test_home_lists_datasets_with_versions_counts_and_lock_state(
    signed_in: Watched, world: World
) -> None:
    page = signed_in.page
    page.goto(world.url())
    page.wait_for_selector("#datasets")
    row = page.locator(f"tr.version[data-id='{world.version.id}']")
    assert row.locator(".asset-count").text_content() == str(len(world.assets))
    assert "open" in row.text_content()
    datalake = page.locator(f"#datalakes .datalake[data-id='{world.datalake_id}']")
    assert datalake.locator(".data-count").text_content() == str(len(world.assets) + 1)


# Gallery


def test_gallery_draws_one_overlay_per_shape_with_the_known_box_in_place(
    signed_in: Watched, world: World, artifacts: Path
) -> None:
    page = open_gallery(signed_in, world)
    assert page.locator("#grid .thumb").count() == len(world.assets)
    assert page.locator("#grid .overlay .shape").count() == world.shapes_drawn
    page.wait_for_function(
        "() => [...document.querySelectorAll('#grid img')].every(i => i.complete)"
    )

    cell = page.locator(f".thumb[data-id='{world.assets['boxed-cat.png'].id}']")
    image = cell.locator("img").bounding_box()
    box = cell.locator(".overlay rect.shape").bounding_box()
    scale = image["width"] / BOX_IMAGE[0]
    assert image["height"] == pytest.approx(BOX_IMAGE[1] * scale, abs=1)
    x, y, w, h = BOX
    assert box["x"] == pytest.approx(image["x"] + x * scale, abs=2)
    assert box["y"] == pytest.approx(image["y"] + y * scale, abs=2)
    assert box["width"] == pytest.approx(w * scale, abs=3)
    assert box["height"] == pytest.approx(h * scale, abs=3)

    shot = artifacts / "gallery.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_a_label_from_the_sidebar_and_a_tag_narrow_the_gallery(
    signed_in: Watched, world: World
) -> None:
    page = open_gallery(signed_in, world)
    page.click("#label-facets [data-label='dog'] .facet-name")
    page.wait_for_url("**label=dog**")
    shown(page)
    assert thumb_filenames(page) == {"two-dogs.png", "mixed.png"}

    page.fill("#filter-tag", "train")
    page.press("#filter-tag", "Enter")
    page.wait_for_url("**tag=train**")
    shown(page)
    assert page.locator("#active-filters .chip").count() == 2
    assert thumb_filenames(page) == {"two-dogs.png"}

    # The filter is in the URL: opened afresh, the view is the same.
    page.goto(world.url(f"#/versions/{world.version.id}?tag=train"))
    page.reload()
    shown(page)
    assert thumb_filenames(page) == {"boxed-cat.png", "two-dogs.png"}


def test_status_and_filename_filters_narrow_the_gallery(signed_in: Watched, world: World) -> None:
    page = open_gallery(signed_in, world)
    page.select_option("#filter-status", "PENDING")
    page.fill("#filter-filename", "DOG")
    page.press("#filter-filename", "Enter")
    page.wait_for_url("**filename=DOG**")
    shown(page)
    assert "status=PENDING" in page.url
    assert thumb_filenames(page) == {"two-dogs.png"}


def test_datalake_gallery_lists_its_data(signed_in: Watched, world: World) -> None:
    page = signed_in.page
    page.goto(world.url())
    shown(page)
    page.click(f"#datalakes .datalake[data-id='{world.datalake_id}'] a")
    shown(page)
    assert page.locator("#grid .thumb").count() == len(world.assets) + 1
    assert MARKUP_FILENAME in thumb_filenames(page)
    page.fill("#filter-filename", "mixed")
    page.press("#filter-filename", "Enter")
    page.wait_for_url("**filename=mixed**")
    sync_api.expect(page.locator("#grid .thumb")).to_have_count(1)
    page.click("#grid .thumb a.cell")
    sync_api.expect(page.locator("h1.filename")).to_have_text("mixed.png")
    sync_api.expect(page.locator("#tags")).to_contain_text("data tags")


def test_an_unreadable_image_shows_a_placeholder_not_a_broken_page(
    signed_in: Watched, world: World, tmp_path: Path
) -> None:
    datalake = world.client.create_datalake("damaged")
    (data,) = datalake.upload_data([make_image(tmp_path / "rotten.jpg", 64, 48, seed=99)])
    storage = world.server.workspace.context.storage
    staged = storage.stage_stream([b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8])
    storage.commit(staged, data.object_name)  # the stored bytes rot
    storage.discard(staged)

    page = signed_in.page
    with page.expect_response(lambda r: r.url.endswith("/thumbnail")) as answer:
        page.goto(world.url(f"#/datalakes/{datalake.id}"))
    assert answer.value.headers["x-pixlake-thumbnail"] == "placeholder"
    shown(page)
    thumbnail = page.locator(f".thumb[data-id='{data.id}'] img")
    sync_api.expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("image => image.naturalWidth") > 0

    page.click(f".thumb[data-id='{data.id}'] a.cell")
    sync_api.expect(page.locator("#asset-status")).to_contain_text("can't be shown")
    full = page.locator("#viewport img")
    sync_api.expect(full).to_have_attribute("src", f"/data/{data.id}/thumbnail")
    assert full.evaluate("image => image.naturalWidth") > 0


def test_hiding_a_label_hides_its_shapes(signed_in: Watched, world: World) -> None:
    page = open_gallery(signed_in, world)
    page.uncheck("#label-facets [data-label='dog'] .label-toggle")
    visible = page.locator("#grid .overlay .shape:visible")
    assert visible.count() == world.shapes_drawn - 3
    page.check("#label-facets [data-label='dog'] .label-toggle")
    assert visible.count() == world.shapes_drawn


def test_sidebar_counts_images_and_shapes_per_label(signed_in: Watched, world: World) -> None:
    page = open_gallery(signed_in, world)
    dog = page.locator("#label-facets [data-label='dog']")
    assert dog.locator(".count.images").text_content() == "2"
    assert dog.locator(".count.shapes").text_content() == "3"
    train = page.locator("#tag-facets [data-tag='train']")
    assert train.locator(".count.images").text_content() == "2"


def test_tags_added_and_removed_on_selected_assets(signed_in: Watched, world: World) -> None:
    page = open_gallery(signed_in, world)
    picked = [world.assets["plain.png"], world.assets["empty.png"]]
    for asset in picked:
        page.check(f".thumb[data-id='{asset.id}'] input.select")
    page.fill("#review-tag", "reviewed")
    page.click("#add-tag")
    page.wait_for_selector("#tag-facets [data-tag='reviewed']")
    assert all("reviewed" in {tag.name for tag in asset.get_tags()} for asset in picked)

    for asset in picked[:1]:
        page.check(f".thumb[data-id='{asset.id}'] input.select")
    page.fill("#review-tag", "reviewed")
    page.click("#remove-tag")
    sync_api.expect(page.locator("#tag-facets [data-tag='reviewed'] .count")).to_have_text("1")
    assert "reviewed" not in {tag.name for tag in picked[0].get_tags()}
    assert "reviewed" in {tag.name for tag in picked[1].get_tags()}


def test_a_malformed_query_shows_the_api_error(signed_in: Watched, world: World) -> None:
    page = signed_in.page
    with page.expect_response(lambda r: r.url.endswith("/gallery")) as answer:
        page.goto(world.url(f"#/versions/{world.version.id}?q=label%20%3D%3D%3D%20("))
    assert 400 <= answer.value.status < 500
    message = answer.value.json()["message"]
    sync_api.expect(page.locator("#gallery-status .message.error")).to_have_text(message)
    assert page.locator("#grid .thumb").count() == 0
    assert page.input_value("#filter-q") == "label === ("


def test_unknown_parameters_and_a_bad_page_key_show_an_error(
    signed_in: Watched, world: World
) -> None:
    page = signed_in.page
    page.goto(world.url(f"#/versions/{world.version.id}?tag=train&page=-1&colour=red"))
    error = page.wait_for_selector("#url-error")
    assert '"page", "colour"' in error.text_content()
    assert page.locator("#grid").count() == 0
    page.click(".url-error a.button")  # the way out keeps the filter
    shown(page)
    assert thumb_filenames(page) == {"boxed-cat.png", "two-dogs.png"}

    with page.expect_response(lambda r: r.url.endswith("/gallery")) as answer:
        page.goto(world.url(f"#/versions/{world.version.id}?after=-1"))
    assert answer.value.status == 400
    sync_api.expect(page.locator("#gallery-status .message.error")).to_contain_text("after")


def test_another_organizations_asset_is_not_found_and_shows_no_image(
    signed_in: Watched, world: World
) -> None:
    _username, token = world.server.new_user()
    stranger = Client(api_token=token, host=world.server.url)
    (data,) = stranger.get_datalake().upload_data([world.image_paths[0]])
    version = stranger.create_dataset("theirs").create_version("v1")
    (asset,) = version.add_data([data])
    page = signed_in.page
    contents: list[int] = []
    page.on("response", lambda r: contents.append(r.status) if "/content" in r.url else None)
    page.goto(world.url(f"#/versions/{version.id}/assets/{asset.id}"))
    sync_api.expect(page.locator("#view .message.error")).to_contain_text("not found")
    page.goto(world.url(f"#/versions/{version.id}"))
    sync_api.expect(page.locator("#view .message.error")).to_contain_text("not found")
    assert not contents
    assert page.locator("img").count() == 0


def test_a_session_that_ends_sends_the_page_to_sign_in(
    browser: Any, world: World, session_state: Any
) -> None:
    context = browser.new_context(storage_state=session_state)
    page = context.new_page()
    page.goto(world.url(f"#/versions/{world.version.id}"))
    page.wait_for_selector("#grid .thumb")
    context.clear_cookies()
    page.click("#label-facets [data-label='cat'] .facet-name")
    page.wait_for_url("**/ui/signin?error=expired#/versions/**")
    assert "ended" in page.text_content("#signin-status")
    context.close()


# Asset view and review


def test_asset_view_shows_annotations_and_accepting_one_changes_its_status(
    signed_in: Watched, world: World, artifacts: Path
) -> None:
    page = signed_in.page
    asset = world.assets["two-dogs.png"]
    annotation = world.annotations["two-dogs.png"]
    page.goto(world.url(f"#/versions/{world.version.id}/assets/{asset.id}"))
    card = page.wait_for_selector(f".annotation[data-id='{annotation.id}']")
    assert "pending" in card.text_content().lower()
    assert page.locator(f".annotation[data-id='{annotation.id}'] .shape-row").count() == 2
    assert page.locator("#viewport .overlay .shape").count() == 2
    assert "train" in page.locator("#tags").text_content()
    page.wait_for_selector("#viewport[data-fitted]")
    page.screenshot(path=str(artifacts / "asset.png"))

    page.click(f".annotation[data-id='{annotation.id}'] .review-accept")
    page.wait_for_selector(f"#status-{annotation.id}.status-accepted")
    annotation.sync()
    assert annotation.status is AnnotationStatus.ACCEPTED

    page.click(f".annotation[data-id='{annotation.id}'] .review-pending")
    page.wait_for_selector(f"#status-{annotation.id}.status-pending")
    annotation.sync()
    assert annotation.status is AnnotationStatus.PENDING


def test_asset_view_zooms_and_steps_through_the_filter(signed_in: Watched, world: World) -> None:
    page = open_gallery(signed_in, world, "?tag=train")
    page.locator("#grid .thumb a.cell").first.click()
    page.wait_for_selector("#viewport[data-fitted]")
    before = float(page.get_attribute("#viewport", "data-scale"))
    page.click("#zoom-in")
    assert float(page.get_attribute("#viewport", "data-scale")) > before

    first = page.text_content("h1.filename")
    page.click("#next")
    page.wait_for_function(
        f"() => document.querySelector('h1.filename')?.textContent !== {first!r}"
    )
    assert {first, page.text_content("h1.filename")} == {"boxed-cat.png", "two-dogs.png"}
    assert page.locator("span.button.disabled", has_text="Next").count() == 1
    page.keyboard.press("ArrowLeft")  # the keys step too
    page.wait_for_function(
        f"() => document.querySelector('h1.filename')?.textContent === {first!r}"
    )


# Names holding markup


def test_names_holding_markup_are_shown_and_run_nothing(signed_in: Watched, world: World) -> None:
    page = signed_in.page
    page.goto(world.url())
    page.wait_for_selector("#datasets")
    assert MARKUP_DATASET in page.locator("#datasets").text_content()

    page.goto(world.url(f"#/versions/{world.markup_version.id}"))
    page.wait_for_selector("#grid .thumb")
    page.wait_for_selector("#label-facets .facet")
    assert page.text_content("#grid .thumb .filename") == MARKUP_FILENAME
    assert MARKUP_LABEL in page.locator("#label-facets").text_content()
    assert MARKUP_TAG in page.locator("#tag-facets").text_content()

    page.goto(world.url(f"#/versions/{world.markup_version.id}/assets/{world.markup_asset.id}"))
    page.wait_for_selector(".annotation")
    assert MARKUP_TAG in page.locator("#tags").text_content()
    assert MARKUP_LABEL in page.locator("#metadata").text_content()

    page.goto(world.url(f"#/versions/{world.markup_version.id}/stats"))
    page.wait_for_selector("#charts")
    assert MARKUP_LABEL in page.locator("#charts").text_content()

    assert signed_in.flag() is None
    assert not signed_in.dialogs
    assert not page.locator("#view script, #view img[src='x']").count()


def test_statistics_chart_a_bar_per_label_and_tag(
    signed_in: Watched, world: World, artifacts: Path
) -> None:
    page = signed_in.page
    page.goto(world.url(f"#/versions/{world.version.id}/stats"))
    page.wait_for_selector("#charts")
    page.screenshot(path=str(artifacts / "statistics.png"), full_page=True)
    bars = page.locator("#charts .bar")
    values = {
        (bar.get_attribute("data-name"), bar.get_attribute("data-value")) for bar in bars.all()
    }
    assert ("dog", "3") in values and ("train", "2") in values
