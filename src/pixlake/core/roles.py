"""Who may do what inside an organization: each role rule is written here, once.

Services call these checks *after* they have found the object a request names in the
caller's organization, so another organization's ids still answer 404 (NotFoundError),
never 403: a refusal must not tell an outsider that an id exists. docs/roles.md has the
table of what each role may do.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from uuid import UUID

from pixlake.core.context import Actor
from pixlake.enums import Role
from pixlake.errors import ForbiddenError

__all__ = ["AdminAction", "require_admin", "require_own_work"]


class AdminAction(StrEnum):
    """What only an admin may do; the value completes "only an admin may ..."."""

    PURGE_TRASH = "purge the trash"
    RESTORE_FROM_TRASH = "restore from the trash"
    REVOKE_USER = "revoke a user's token"
    CREATE_DATALAKE = "create a datalake"
    DELETE_DATA = "delete data from a datalake"
    DELETE_DATASET = "delete a dataset"
    DELETE_VERSION = "delete a dataset version"
    LOCK_VERSION = "lock a dataset version"
    UNLOCK_VERSION = "unlock a dataset version"
    DELETE_ASSETS = "delete assets"
    RESTORE_ASSETS = "restore assets"
    RENAME_TAG = "rename a tag"
    DELETE_TAG = "delete a tag"
    DELETE_MODEL = "delete a model"
    DELETE_MODEL_VERSION = "delete a model version"


def _refuse(actor: Actor, action: str) -> ForbiddenError:
    return ForbiddenError(
        f"only an admin may {action}; {actor.username!r} is a {actor.role.value}",
        details={"action": action, "role": actor.role.value, "required": Role.ADMIN.value},
    )


def require_admin(actor: Actor, action: AdminAction) -> None:
    """Raise ForbiddenError (403), naming the action and the role it needs, unless the
    actor is an admin of its organization."""
    if actor.role is not Role.ADMIN:
        raise _refuse(actor, action.value)


def require_own_work(actor: Actor, author_ids: Iterable[UUID], action: str) -> None:
    """Members change only what they did themselves (their annotations); admins anyone's.

    Args:
        author_ids: the users whose work the request would change. Admins never look at
            them, so a lazy iterable costs them no query.
        action: what the request would do to others' work ("delete another worker's
            annotations"), for the message.
    """
    if actor.role is Role.ADMIN:
        return
    if any(author_id != actor.user_id for author_id in author_ids):
        raise _refuse(actor, action)
