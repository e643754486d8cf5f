"""The HTTP layer: the app factory, routing, security, rate limits, the mapping of errors
to answers, health, the API documentation, and the pages' shared wiring."""
