"""The application factory: one FastAPI app for served and embedded use alike."""

from __future__ import annotations

from fastapi import FastAPI

from pixlake import __version__
from pixlake.core.context import Actor, AppContext
from pixlake.core.thumbnail_cache import ThumbnailCache
from pixlake.probed_media import ProbedMedia
from pixlake.server.allow import TrueAllowHeader
from pixlake.server.body_alias_warning import silence_body_alias_warnings
from pixlake.server.errors import install_error_handlers
from pixlake.server.headers import install_security_headers
from pixlake.server.idempotency import install_idempotency
from pixlake.server.lazy_routers import IncludeRoutersFirst, RouterSlots
from pixlake.server.openapi import install_openapi
from pixlake.server.request_limits import BodyLimits, RequestLimits
from pixlake.server.router_table import ROUTER_SOURCES, FileRoute
from pixlake.web.mount import install_web

__all__ = ["create_app"]


def create_app(
    context: AppContext,
    *,
    embedded_owner: Actor | None = None,
    probed_media: ProbedMedia | None = None,
) -> FastAPI:
    """Build the API over ``context``.

    Args:
        context: database, storage and settings the services run on.
        embedded_owner: set only for an in-process app (embedded mode). Requests without a
            token then act as this user, data URLs are local ``file://`` URLs, and the route
            that ingests files by local path is mounted. A served app never gets it.
        probed_media: set only with ``embedded_owner``: the probes that the SDK of this
            process records before an upload, which the route ingesting local files
            takes instead of probing the same bytes again.
    """
    if probed_media is not None and embedded_owner is None:
        raise ValueError("probed_media is shared with an in-process app only")
    # The docs page is the web app's, from vendored files (FastAPI's loads a CDN's).
    app = FastAPI(title="pixlake", version=__version__, docs_url=None, redoc_url=None)
    app.state.context = context
    app.state.embedded_owner = embedded_owner
    app.state.probed_media = probed_media
    install_error_handlers(app)
    install_security_headers(app)
    install_idempotency(app)
    embedded = embedded_owner is not None
    # The table's order is the order routes are tried in (pixlake.server.router_table).
    file_routes: list[FileRoute] = []
    slots = RouterSlots(
        (source for source in ROUTER_SOURCES if embedded or not source.embedded_only),
        file_routes,
    )
    slots.install(app)
    if not embedded:
        # A server builds every route before its first request; an embedded application
        # builds a router on the first request under its paths (docs/startup.md).
        slots.fill_all()
    serves_compat = context.settings.compat_api and not embedded
    if serves_compat:
        # Imported only here: its routes are half of the application's build, and an
        # embedded app (whose SDK never calls them) goes without (docs/startup.md).
        from pixlake.server import compat

        for router in compat.routers():
            app.include_router(router)
            silence_body_alias_warnings(router.routes)
        file_routes += compat.file_upload_routes()
    install_web(app)
    install_openapi(app)
    if embedded:
        slots.fill_before_document(app)
    app.add_middleware(TrueAllowHeader, routes=app.router.routes)
    settings = context.settings
    # One cache per application: its bytes are only ever handed out after the data row of
    # the caller's organization was read.
    app.state.thumbnail_cache = ThumbnailCache(settings.thumbnail_cache_bytes)
    app.add_middleware(
        RequestLimits,
        limits=BodyLimits(
            max_request_body=settings.max_request_body,
            max_header_count=settings.max_header_count,
            client_timeout=settings.client_timeout,
        ),
        file_routes=file_routes,
    )
    if serves_compat:
        from pixlake.server.compat.xget import RestoreXget

        app.add_middleware(RestoreXget)
    if embedded:
        # Added last, so outermost: the routers a path needs are in before the body limits
        # look for file routes and before routing.
        app.add_middleware(IncludeRoutersFirst, fill_for=slots.fill_for)
    else:
        # Only a served app answers a gallery's requests for pictures; imported here so that
        # an embedded client goes without the thumbnail stack. Around everything else.
        from pixlake.server.thumbnail_fast_path import install_thumbnail_fast_path

        install_thumbnail_fast_path(app, context, app.state.thumbnail_cache)
    return app
