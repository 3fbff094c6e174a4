"""The HTTP API: a FastAPI application over the domain services."""

from pixlake.server.app import create_app

__all__ = ["create_app"]
