-- The event log: the system of record. Append-only, enforced by the database: the service role has only
-- SELECT and INSERT, and triggers stop UPDATE, DELETE and TRUNCATE even for the owner (hashes detect the rest).

CREATE TABLE event (
    -- Global order of insertion. Not the publication order: see tx_id and docs/decisions/0002-ordering.md.
    position        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The inserting transaction. Readers fence on pg_snapshot_xmin so no commit can appear behind them.
    tx_id           XID8        NOT NULL DEFAULT pg_current_xact_id(),
    event_id        UUID        NOT NULL UNIQUE,
    tenant_id       TEXT        NOT NULL,
    stream_type     TEXT        NOT NULL CHECK (stream_type IN ('User', 'Group')),
    stream_id       UUID        NOT NULL,
    stream_version  BIGINT      NOT NULL CHECK (stream_version > 0),
    event_type      TEXT        NOT NULL,
    schema_version  INT         NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL,
    actor_subject   TEXT,
    actor_client_id TEXT,
    request_id      TEXT,
    client_address  TEXT,
    -- Identifies the SCIM request (one request = one transaction = possibly several events).
    txn_id          UUID        NOT NULL,
    payload         JSONB       NOT NULL,
    -- Per-stream hash chain: hash = SHA-256(prev_hash || canonical bytes of the event).
    prev_hash       BYTEA,
    hash            BYTEA       NOT NULL,
    -- Optimistic concurrency backstop: two writers can never both append version N to one stream.
    CONSTRAINT event_stream_version_key UNIQUE (stream_id, stream_version)
);

CREATE INDEX event_relay_order_idx ON event (tx_id, position);
CREATE INDEX event_tenant_stream_idx ON event (tenant_id, stream_type, stream_id, stream_version);
CREATE INDEX event_tenant_time_idx ON event (tenant_id, occurred_at);

CREATE FUNCTION event_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on event is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER event_no_update_delete BEFORE UPDATE OR DELETE ON event
    FOR EACH ROW EXECUTE FUNCTION event_is_immutable();
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
    FOR EACH STATEMENT EXECUTE FUNCTION event_is_immutable();

REVOKE ALL ON event FROM PUBLIC;
GRANT SELECT, INSERT ON event TO ${app_role};

-- Per-user data keys for personal data (crypto-shredding). The key is wrapped (AES-GCM) by a master key that
-- lives in configuration, never in the database. Erasing a person = destroying the wrapped key; the log stays.
CREATE TABLE data_key (
    tenant_id    TEXT        NOT NULL,
    subject_id   UUID        NOT NULL PRIMARY KEY,
    wrapped_key  BYTEA,
    master_key_id TEXT       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    destroyed_at TIMESTAMPTZ,
    CONSTRAINT data_key_destroyed_has_no_key CHECK ((destroyed_at IS NULL) = (wrapped_key IS NOT NULL))
);
REVOKE ALL ON data_key FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON data_key TO ${app_role};
