-- Read models, all rebuildable from the event log (see ProjectionRebuilder). Every table is tenant-scoped.

CREATE TABLE scim_user (
    tenant_id     TEXT        NOT NULL,
    id            UUID        NOT NULL,
    user_name     TEXT        NOT NULL,
    external_id   TEXT,
    active        BOOLEAN,
    doc           JSONB       NOT NULL,
    version       BIGINT      NOT NULL,
    created       TIMESTAMPTZ NOT NULL,
    last_modified TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX scim_user_user_name_idx ON scim_user (tenant_id, lower(user_name));
CREATE INDEX scim_user_external_id_idx ON scim_user (tenant_id, external_id);
CREATE INDEX scim_user_created_idx ON scim_user (tenant_id, created, id);

CREATE TABLE scim_group (
    tenant_id     TEXT        NOT NULL,
    id            UUID        NOT NULL,
    display_name  TEXT        NOT NULL,
    external_id   TEXT,
    doc           JSONB       NOT NULL,
    version       BIGINT      NOT NULL,
    created       TIMESTAMPTZ NOT NULL,
    last_modified TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX scim_group_display_name_idx ON scim_group (tenant_id, lower(display_name));
CREATE INDEX scim_group_external_id_idx ON scim_group (tenant_id, external_id);
CREATE INDEX scim_group_created_idx ON scim_group (tenant_id, created, id);

-- Membership is its own relation, indexed both ways: "members of G" and "groups of U" are index range scans,
-- and adding one member to a group of 100,000 touches one row.
CREATE TABLE group_membership (
    tenant_id   TEXT NOT NULL,
    group_id    UUID NOT NULL,
    member_id   UUID NOT NULL,
    member_type TEXT NOT NULL CHECK (member_type IN ('User', 'Group')),
    PRIMARY KEY (tenant_id, group_id, member_id)
);
CREATE INDEX group_membership_member_idx ON group_membership (tenant_id, member_id, group_id);

-- Set-based rule the streams cannot check: userName is unique per tenant, case-insensitively.
CREATE TABLE user_name_claim (
    tenant_id       TEXT NOT NULL,
    user_name_lower TEXT NOT NULL,
    user_id         UUID NOT NULL,
    PRIMARY KEY (tenant_id, user_name_lower)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON scim_user, scim_group, group_membership, user_name_claim TO ${app_role};
