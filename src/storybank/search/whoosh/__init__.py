"""The Whoosh backend: schema, query building, snippets and the engine (the only place Whoosh is used)."""

from storybank.search.whoosh import patches
from storybank.search.whoosh.engine import IndexBusy, StoryIndex

patches.apply()

WhooshBackend = StoryIndex

__all__ = ["IndexBusy", "StoryIndex", "WhooshBackend"]
