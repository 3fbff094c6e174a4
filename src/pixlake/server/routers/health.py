from fastapi import APIRouter

from pixlake import __version__

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness check; the only route that needs no token."""
    return {"status": "ok", "version": __version__}
