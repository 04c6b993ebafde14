"""Web API method handlers; importing this package registers them all in registry.METHODS."""

from app.simulator.methods import (
    canvases,
    chat,
    conversations,
    files,
    history,
    items,
    renaming,
    users,
    views,
)

__all__ = [
    "canvases",
    "chat",
    "conversations",
    "files",
    "history",
    "items",
    "renaming",
    "users",
    "views",
]
