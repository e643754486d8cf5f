"""Pictures on ideas: uploaded by the idea's author, re-encoded without metadata, kept in
PostgreSQL and served at addresses that never change."""
