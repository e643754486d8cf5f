"""ideabox: crowd idea-voting for municipalities."""

__version__ = "0.1.0"
