-- Categories: an administrator sorts a purpose's ideas into its own categories (named in
-- Danish and English, perhaps handled by one department), and an idea's author may pick
-- one. A category that ideas use is retired rather than deleted, so what was posted
-- under it keeps its category; a retired one is no longer offered.

CREATE TABLE categories (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purpose_id  bigint NOT NULL REFERENCES purposes ON DELETE CASCADE,
    slug        text NOT NULL
                CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 60),
    name_da     text NOT NULL CHECK (char_length(name_da) BETWEEN 1 AND 80),
    name_en     text NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 80),
    -- The department that handles the category's ideas, if one does.
    department  text CHECK (char_length(department) BETWEEN 1 AND 120),
    -- Lists show a purpose's categories by position, then by age.
    position    integer NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 10000),
    retired_at  timestamptz,
    created_at  timestamptz NOT NULL,
    UNIQUE (purpose_id, slug),
    -- The target of the ideas' foreign key below: (id, purpose) together.
    UNIQUE (id, purpose_id)
);

ALTER TABLE ideas ADD COLUMN category_id bigint;
-- An idea's category belongs to the idea's own purpose: the key says it, not only the
-- code. While ideas use a category it cannot be deleted (it is retired instead).
ALTER TABLE ideas ADD CONSTRAINT ideas_category_same_purpose
    FOREIGN KEY (category_id, purpose_id) REFERENCES categories (id, purpose_id);
CREATE INDEX ideas_by_category ON ideas (category_id) WHERE category_id IS NOT NULL;
