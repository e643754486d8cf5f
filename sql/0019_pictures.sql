-- Pictures on ideas: up to three per idea, each kept in two sizes (a thumbnail and a
-- display size), re-encoded from the upload so that no metadata (EXIF, GPS) survives.
-- Kept in PostgreSQL, not on a disk, so that every replica serves them. Each size is
-- served at an address holding the digest of its bytes, so browsers and proxies may keep
-- it for good (ideabox.pictures).

CREATE TABLE idea_pictures (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea_id          bigint NOT NULL REFERENCES ideas ON DELETE CASCADE,
    -- The place on the idea's page, 1 to 3: the limit of three pictures per idea holds
    -- here, whatever the application does.
    position         smallint NOT NULL CHECK (position BETWEEN 1 AND 3),
    -- Words for those who cannot see the picture (WCAG 1.1.1); required.
    alt              text NOT NULL CHECK (length(alt) BETWEEN 1 AND 250),
    uploaded_by      bigint REFERENCES users ON DELETE SET NULL,
    -- What the upload decoded as (JPEG, PNG or WEBP) and its size in bytes.
    source_format    text NOT NULL CHECK (source_format IN ('JPEG', 'PNG', 'WEBP')),
    source_bytes     integer NOT NULL CHECK (source_bytes > 0),
    content_type     text NOT NULL CHECK (content_type IN ('image/webp', 'image/jpeg')),
    width            integer NOT NULL CHECK (width > 0),
    height           integer NOT NULL CHECK (height > 0),
    display          bytea NOT NULL,
    display_sha256   text NOT NULL CHECK (display_sha256 ~ '^[0-9a-f]{64}$'),
    thumb_width      integer NOT NULL CHECK (thumb_width > 0),
    thumb_height     integer NOT NULL CHECK (thumb_height > 0),
    thumbnail        bytea NOT NULL,
    thumbnail_sha256 text NOT NULL CHECK (thumbnail_sha256 ~ '^[0-9a-f]{64}$'),
    created_at       timestamptz NOT NULL,
    UNIQUE (idea_id, position)
);

-- The bytes are fetched only when a picture is served: keep them out of line, so that
-- listing an idea's pictures reads small rows.
ALTER TABLE idea_pictures ALTER COLUMN display SET STORAGE EXTERNAL;
ALTER TABLE idea_pictures ALTER COLUMN thumbnail SET STORAGE EXTERNAL;
