"""Web API method handlers; importing this package registers them all in registry.METHODS."""

from app.simulator.methods import (
    chat,
    conversations,
    files,
    history,
    items,
    renaming,
    users,
    views,
)

__all__ = ["chat", "conversations", "files", "history", "items", "renaming", "users", "views"]
