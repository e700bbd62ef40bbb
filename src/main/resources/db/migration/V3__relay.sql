-- Where each publication subscription stands in the log: the (tx_id, position) pair of the last event the broker
-- acknowledged. Only the relay holding the subscription's advisory lock advances it.
CREATE TABLE relay_checkpoint (
    subscription  TEXT        PRIMARY KEY,
    last_tx_id    XID8        NOT NULL DEFAULT '0',
    last_position BIGINT      NOT NULL DEFAULT 0,
    published     BIGINT      NOT NULL DEFAULT 0,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON relay_checkpoint TO ${app_role};
