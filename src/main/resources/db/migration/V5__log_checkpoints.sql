-- Signed checkpoints over the whole event log (docs/decisions/0009-signed-checkpoints.md, docs/audit.md).
-- Each row covers the events in ((from_tx_id, from_position), (to_tx_id, to_position)] in (tx_id, position) order,
-- taken behind the xid8 fence, so no later commit can fall into a range already covered. The rows chain (prev_root)
-- and are signed with Ed25519; like the event log they are append-only.
CREATE TABLE log_checkpoint (
    id            BIGSERIAL   PRIMARY KEY,
    from_tx_id    XID8        NOT NULL,
    from_position BIGINT      NOT NULL,
    to_tx_id      XID8        NOT NULL,
    to_position   BIGINT      NOT NULL,
    event_count   BIGINT      NOT NULL CHECK (event_count > 0),
    -- SHA-256(prev_root || for each event in order: position (8 bytes, big-endian) || hash (32 bytes))
    root          BYTEA       NOT NULL,
    -- the previous checkpoint's root (32 zero bytes for the first)
    prev_root     BYTEA       NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    key_id        TEXT        NOT NULL,
    signature     BYTEA       NOT NULL,
    CONSTRAINT log_checkpoint_range_key UNIQUE (to_tx_id, to_position)
);

-- One guard for every append-only table: V1's function now names the table it protects.
CREATE OR REPLACE FUNCTION event_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER log_checkpoint_no_update_delete BEFORE UPDATE OR DELETE ON log_checkpoint
    FOR EACH ROW EXECUTE FUNCTION event_is_immutable();
CREATE TRIGGER log_checkpoint_no_truncate BEFORE TRUNCATE ON log_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION event_is_immutable();

REVOKE ALL ON log_checkpoint FROM PUBLIC;
GRANT SELECT, INSERT ON log_checkpoint TO ${app_role};
GRANT USAGE ON SEQUENCE log_checkpoint_id_seq TO ${app_role};
