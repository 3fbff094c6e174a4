"""The application factory: one FastAPI app for served and embedded use alike."""

from __future__ import annotations

from fastapi import FastAPI

from pixlake import __version__
from pixlake.core.context import Actor, AppContext
from pixlake.probed_media import ProbedMedia
from pixlake.server.allow import TrueAllowHeader
from pixlake.server.errors import install_error_handlers
from pixlake.server.headers import install_security_headers
from pixlake.server.idempotency import install_idempotency
from pixlake.server.openapi import install_openapi
from pixlake.server.request_limits import BodyLimits, RequestLimits
from pixlake.server.routers import (
    annotation_files,
    assets,
    curation,
    data,
    datalakes,
    datasets,
    exports,
    gallery,
    health,
    lineage,
    me,
    model_files,
    models,
    objects,
    tags,
    thumbnails,
    trash,
)
from pixlake.server.routers import annotations as annotation_routes
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
    if embedded_owner is not None:
        # First in an in-process app: FastAPI builds each router's routes on the first
        # request that walks past it, and an upload's first request would otherwise
        # build every router of the application on its way to these.
        app.include_router(datalakes.local_router)
        app.include_router(model_files.local_router)
    # Routes are tried in this order, each router's in turn: thumbnails come first, since
    # a gallery asks for one per picture and a warm one costs little besides the lookup.
    # (No two routes match the same path, so the order changes nothing else.)
    for module in (
        thumbnails,
        health,
        me,
        datalakes,
        data,
        tags,
        objects,
        datasets,
        assets,
        annotation_routes,
        exports,
        annotation_files,
        curation,
        trash,
        models,
        lineage,
        model_files,
        gallery,
    ):
        app.include_router(module.router)
    file_routes = datalakes.file_upload_routes() + model_files.file_upload_routes()
    serves_compat = context.settings.compat_api and embedded_owner is None
    if serves_compat:
        # Imported only here: its routes are half of the application's build, and an
        # embedded app (whose SDK never calls them) goes without (docs/startup.md).
        from pixlake.server import compat

        for router in compat.routers():
            app.include_router(router)
        file_routes += compat.file_upload_routes()
    file_routes += annotation_files.file_upload_routes()
    install_web(app)
    install_openapi(app)
    app.add_middleware(TrueAllowHeader, routes=app.router.routes)
    settings = context.settings
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
    return app
