"""The web app: pages served by the API's own FastAPI application (docs/webapp.md).

``pixlake.web.mount.install_web`` mounts it; the API's authentication reads its session
cookie through ``pixlake.web.auth``. This module imports nothing, so that the server's
dependencies may import the web app's without a cycle.
"""
