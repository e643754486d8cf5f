"""The platform: what every feature stands on (settings, PostgreSQL, Redis, the clock,
migrations, logs, errors, months, Markdown, the embedded servers). It imports no
feature and nothing of HTTP."""
