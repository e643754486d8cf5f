"""JSON routes for notifications, following ideas and notification settings."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.params import JSONBody, Parameter

from ideabox.http.routing import (
    BEARER,
    EXACT_MAX_ID,
    MAX_ID,
    Cursor,
    IdeaId,
    Limit,
    RequestDb,
    SignedIn,
    Writer,
    errors,
)
from ideabox.notifications import preferences, service
from ideabox.notifications.preferences import NotificationPreferences
from ideabox.notifications.schemas import (
    Following,
    Notification,
    NotificationPage,
    NotificationSettings,
    Unread,
)

NotificationId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The notification's id",
                                          schema_extra=EXACT_MAX_ID)]


class NotificationsController(Controller):
    path = "/me"
    tags = ["notifications"]
    security = BEARER

    @get("/notifications", summary="My notifications, newest first, with the unread count",
         responses=errors(400, 401))
    async def list_mine(self, db: RequestDb, user: SignedIn, limit: Limit = 20,
                        cursor: Cursor = None) -> NotificationPage:
        return await service.list_notifications(db.conn, user, limit=limit, cursor=cursor)

    @post("/notifications/{notification_id:int}/read", status_code=200,
          summary="Mark a notification read", responses=errors(400, 401, 403, 404, 429))
    async def read_one(self, db: RequestDb, writer: Writer,
                       notification_id: NotificationId) -> Notification:
        return await service.mark_read(db, writer, notification_id)

    @post("/notifications/read-all", status_code=200, summary="Mark all my notifications read",
          responses=errors(401, 403, 429))
    async def read_all(self, db: RequestDb, writer: Writer) -> Unread:
        return await service.mark_all_read(db, writer)

    @get("/notification-settings", summary="My notification settings", responses=errors(401))
    async def get_settings(self, db: RequestDb, user: SignedIn) -> NotificationSettings:
        return await service.get_settings(db.conn, user)

    @put("/notification-settings", summary="Change my notification settings",
         responses=errors(400, 401, 403, 429))
    async def put_settings(self, db: RequestDb, writer: Writer,
                           data: JSONBody[NotificationSettings]) -> NotificationSettings:
        return await service.put_settings(db.conn, writer, data)

    @get("/notification-preferences", summary="Where each kind of notification reaches me",
         responses=errors(401))
    async def get_preferences(self, db: RequestDb, user: SignedIn) -> NotificationPreferences:
        return await preferences.get_preferences(db.conn, user)

    @put("/notification-preferences",
         summary="Choose, per kind, notifications in the app and by e-mail",
         description="Topics left out keep their choice. The digest is e-mail only: its "
                     "in_app is ignored and read back as false.",
         responses=errors(400, 401, 403, 429))
    async def put_preferences(self, db: RequestDb, writer: Writer,
                              data: JSONBody[NotificationPreferences]
                              ) -> NotificationPreferences:
        return await preferences.put_preferences(db, writer, data)


class FollowController(Controller):
    path = "/ideas/{idea_id:int}/follow"
    tags = ["notifications"]
    security = BEARER

    @get("/", summary="Whether I follow an idea", responses=errors(400, 401, 404))
    async def get_one(self, db: RequestDb, user: SignedIn, idea_id: IdeaId) -> Following:
        return await service.get_following(db.conn, user, idea_id)

    @put("/", summary="Follow an idea (idempotent)",
         responses=errors(400, 401, 403, 404, 429))
    async def follow(self, db: RequestDb, writer: Writer, idea_id: IdeaId) -> Following:
        return await service.follow_idea(db, writer, idea_id)

    @delete("/", summary="Stop following an idea (idempotent)", status_code=200,
            responses=errors(400, 401, 403, 404, 429))
    async def unfollow(self, db: RequestDb, writer: Writer, idea_id: IdeaId) -> Following:
        return await service.unfollow_idea(db.conn, writer, idea_id)


routes = [NotificationsController, FollowController]
