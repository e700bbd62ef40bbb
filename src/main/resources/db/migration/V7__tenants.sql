-- The tenant registry (docs/tenants.md). The admin plane is event-sourced like provisioning: every change to a
-- tenant, its settings, its trusted issuers or its provisioning tokens is an event of stream type 'Tenant' in the
-- log (same hash chain, same relay); the tables below are projections of those events, rebuilt with the others.

ALTER TABLE event DROP CONSTRAINT event_stream_type_check;
ALTER TABLE event ADD CONSTRAINT event_stream_type_check CHECK (stream_type IN ('User', 'Group', 'Tenant'));

CREATE TABLE tenant (
    tenant_id     TEXT        PRIMARY KEY,
    status        TEXT        NOT NULL CHECK (status IN ('active', 'suspended')),
    -- Settings and trusted issuers as the last event left them (TenantSettings in the code).
    settings      JSONB       NOT NULL,
    issuers       JSONB       NOT NULL,
    version       BIGINT      NOT NULL,
    created       TIMESTAMPTZ NOT NULL,
    last_modified TIMESTAMPTZ NOT NULL
);

-- Static bearer tokens for identity providers that cannot get a signed token (Okta "HTTP Header", Entra
-- "Secret Token"). Only a SHA-256 of the token is kept; the token itself is shown once, at issue.
CREATE TABLE tenant_credential (
    credential_id UUID        PRIMARY KEY,
    tenant_id     TEXT        NOT NULL,
    token_hash    BYTEA       NOT NULL UNIQUE,
    label         TEXT,
    scopes        TEXT        NOT NULL,
    created       TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    -- Not from the log: when the token last authenticated a request (written at most once a minute per token).
    last_used_at  TIMESTAMPTZ
);
CREATE INDEX tenant_credential_tenant_idx ON tenant_credential (tenant_id, created);

GRANT SELECT, INSERT, UPDATE, DELETE ON tenant, tenant_credential TO ${app_role};
