"""How pixlake runs under uvicorn: one configuration, used by ``pixlake serve`` and by the
tests' servers alike, so that tests run what users get."""

from __future__ import annotations

import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from pixlake.allocator import keep_large_blocks_in_heap
from pixlake.server.access_log import log_config
from pixlake.server.connection_limits import HeadLimits, LimitedConfig, limited_protocol
from pixlake.server.startup_heap import freeze_startup_objects
from pixlake.settings import Settings

__all__ = ["run_server", "uvicorn_config"]

_WORKER_STARTUP_SECONDS = 60


def uvicorn_config(
    app: Any,
    settings: Settings,
    *,
    host: str,
    port: int,
    log_level: str = "info",
    workers: int = 1,
    factory: bool = False,
) -> LimitedConfig:
    """uvicorn's configuration for the API ``app`` (an application, or the import string of
    a factory for ``workers`` > 1) under the limits of ``settings``."""
    return LimitedConfig(
        app,
        host=host,
        port=port,
        log_level=log_level,
        workers=workers,
        factory=factory,
        http=limited_protocol(),
        log_config=log_config(),  # signatures masked in the access log
        head_limits=HeadLimits(
            max_header_bytes=settings.max_header_bytes, client_timeout=settings.client_timeout
        ),
        # h11's own bound (16 kB by default) must not refuse, untyped, what the protocol's
        # count allows; it stays a backstop a little above it (one socket read, 256 kB).
        h11_max_incomplete_event_size=settings.max_header_bytes + 256 * 1024,
        # A --workers process imports the app and opens the database and the object store
        # before answering the supervisor's pings; on a busy machine that took longer than
        # uvicorn's 5 s, and the supervisor killed and restarted workers for ever.
        timeout_worker_healthcheck=_WORKER_STARTUP_SECONDS,
    )


def run_server(config: uvicorn.Config) -> None:
    """Serve until interrupted, in this process or in ``config.workers`` processes."""
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            # Each worker builds its own app and freezes it (server.asgi).
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            keep_large_blocks_in_heap()  # this process only serves now
            freeze_startup_objects()  # the app is built
            server.run()
    except KeyboardInterrupt:
        pass
    if config.workers == 1 and not server.started:
        sys.exit(STARTUP_FAILURE)  # as uvicorn.run does: the port was taken, the app failed
