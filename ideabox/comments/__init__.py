"""Comments on ideas, with threaded replies."""
