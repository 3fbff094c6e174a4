"""Headers of the web app's pages and files."""

from __future__ import annotations

__all__ = ["PAGE_HEADERS", "PAGE_POLICY", "STATIC_HEADERS"]

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""Content-Security-Policy of the app's pages: scripts, styles and images from pixlake
only, never inline (a name a user set that slipped into markup could run nothing), and no
framing by another site."""

PAGE_HEADERS = {
    "content-security-policy": PAGE_POLICY,
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
"""Headers of an HTML page of the app (its cache policy is the default ``no-store``)."""

STATIC_HEADERS = {"content-security-policy": PAGE_POLICY, "cache-control": "no-cache"}
"""Headers of the app's scripts, styles and images: revalidated on each use (by ETag), as
their names carry no version and there is no build step to add one."""
