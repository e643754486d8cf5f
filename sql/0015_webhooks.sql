-- Webhooks for case systems: an administrator registers endpoints; every status change
-- of an idea that an endpoint subscribes to is written to an outbox in the transaction
-- that makes the change, and delivered (at least once, in order per idea) after it has
-- committed (ideabox.webhooks.delivery).

CREATE TABLE webhook_endpoints (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url         text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    event_types text[] NOT NULL CHECK (
        cardinality(event_types) > 0
        AND event_types <@ ARRAY['idea.promoted', 'idea.answered', 'idea.status_changed',
                                 'idea.published']),
    -- NULL: every purpose.
    purpose_id  bigint REFERENCES purposes ON DELETE CASCADE,
    -- Kept as it is, not hashed: ideabox signs every delivery with it. Shown to the
    -- administrator once, when it is made (at creation and at each rotation).
    secret      text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    created_by  bigint REFERENCES users ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- One row per event an endpoint was subscribed to when it happened. ``data`` is what
-- the receiver gets (the idea's public address is added when it is sent).
CREATE TABLE webhook_events (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id        uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    type             text NOT NULL,
    idea_id          bigint NOT NULL REFERENCES ideas ON DELETE CASCADE,
    status_change_id bigint NOT NULL REFERENCES idea_status_changes ON DELETE CASCADE,
    data             jsonb NOT NULL,
    created_at       timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         bigint NOT NULL REFERENCES webhook_events ON DELETE CASCADE,
    endpoint_id      bigint NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
    -- The event's idea, here too: a delivery waits for the older ones of its endpoint and
    -- idea, and that is asked of this table alone.
    idea_id          bigint NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    -- Retries go on until IDEABOX_WEBHOOK_GIVE_UP_HOURS after this: the event's time,
    -- or when an administrator asked to send it again.
    retry_from       timestamptz NOT NULL,
    last_attempt_at  timestamptz,
    last_status_code integer,
    last_error       text,
    delivered_at     timestamptz,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_in_order ON webhook_deliveries (endpoint_id, idea_id, event_id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_events_idea ON webhook_events (idea_id);

-- Every status change of an idea is inserted into idea_status_changes, whatever the path
-- (posting, promotion, a response, moderation, review): the outbox is written here, in
-- the same transaction, so no path can forget an event and none outlives a rollback.
--
-- What an event says is what the public may see: a change into 'hidden' or
-- 'pending_review' carries the idea's id, purpose and statuses only (no title, no text).
-- A moderator's reason (trigger 'moderation') is never sent; the administration's public
-- answer (trigger 'response') is.
-- Instants as receivers read them: UTC, to the second, whatever the session's time zone.
CREATE FUNCTION webhook_instant(moment timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE AS
$$ SELECT to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

CREATE FUNCTION webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    idea        record;
    promotion   record;
    types       text[] := '{}';
    event_type  text;
    visible     boolean := NEW.to_status NOT IN ('hidden', 'pending_review');
    payload     jsonb;
    new_event   bigint;
    wrote       boolean := false;
BEGIN
    IF NEW.to_status = 'promoted' THEN
        types := types || 'idea.promoted'::text;
    END IF;
    IF NEW.trigger = 'response' THEN
        types := types || 'idea.answered'::text;
    END IF;
    IF NEW.from_status IS NOT NULL AND NEW.from_status <> NEW.to_status THEN
        types := types || 'idea.status_changed'::text;
    END IF;
    IF NEW.to_status = 'open'
       AND (NEW.from_status IS NULL OR NEW.from_status = 'pending_review') THEN
        types := types || 'idea.published'::text;
    END IF;
    IF cardinality(types) = 0
       OR NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE active) THEN
        RETURN NULL;
    END IF;

    SELECT i.id, i.title, i.purpose_id, i.created_at, p.slug
    INTO idea
    FROM ideas i JOIN purposes p ON p.id = i.purpose_id
    WHERE i.id = NEW.idea_id;
    SELECT to_char(pr.month, 'YYYY-MM') AS month, pr.rank, pr.votes_in_month
    INTO promotion
    FROM promotions pr WHERE pr.idea_id = NEW.idea_id;

    payload := jsonb_build_object(
        'idea_id', idea.id,
        'purpose', idea.slug,
        'title', CASE WHEN visible THEN idea.title END,
        'posted_at', CASE WHEN visible THEN webhook_instant(idea.created_at) END,
        'from_status', NEW.from_status,
        'to_status', NEW.to_status,
        'trigger', NEW.trigger,
        'changed_at', webhook_instant(NEW.created_at),
        'response', CASE WHEN NEW.trigger = 'response' THEN NEW.response END,
        'promotion', CASE WHEN visible AND promotion.month IS NOT NULL THEN
            jsonb_build_object('month', promotion.month, 'rank', promotion.rank,
                               'votes_in_month', promotion.votes_in_month) END);

    FOREACH event_type IN ARRAY types LOOP
        IF EXISTS (SELECT 1 FROM webhook_endpoints e
                   WHERE e.active AND event_type = ANY (e.event_types)
                     AND (e.purpose_id IS NULL OR e.purpose_id = idea.purpose_id)) THEN
            INSERT INTO webhook_events (type, idea_id, status_change_id, data, created_at)
            VALUES (event_type, NEW.idea_id, NEW.id, payload, NEW.created_at)
            RETURNING id INTO new_event;
            INSERT INTO webhook_deliveries (event_id, endpoint_id, idea_id, next_attempt_at,
                                            retry_from)
            SELECT new_event, e.id, NEW.idea_id, NEW.created_at, NEW.created_at
            FROM webhook_endpoints e
            WHERE e.active AND event_type = ANY (e.event_types)
              AND (e.purpose_id IS NULL OR e.purpose_id = idea.purpose_id);
            wrote := true;
        END IF;
    END LOOP;
    IF wrote THEN
        -- Sent when (and only if) the transaction commits: wakes the delivery workers.
        PERFORM pg_notify('ideabox_webhooks', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER idea_status_changes_webhooks
    AFTER INSERT ON idea_status_changes
    FOR EACH ROW EXECUTE FUNCTION webhook_outbox();
