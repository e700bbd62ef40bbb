-- Indexes for the auditor's reports (docs/audit.md, audit.MembershipIntervals and audit.AuditReports). Read-only
-- helpers: no new table, no new grant.

-- "Which groups was this user (or group) in?": membership events whose members contain an id, by jsonb
-- containment (payload->'members' @> '[{"value":"<id>"}]'). Partial: only the two membership event types.
CREATE INDEX event_membership_members_idx ON event USING gin ((payload->'members') jsonb_path_ops)
    WHERE event_type IN ('GroupMembersAdded', 'GroupMembersRemoved');

-- "Everything this token subject / OAuth client changed", read by keyset on position.
CREATE INDEX event_tenant_subject_idx ON event (tenant_id, actor_subject, position);
CREATE INDEX event_tenant_client_idx ON event (tenant_id, actor_client_id, position);

-- Deprovisionings: the user events that can deactivate or delete, by keyset on position.
CREATE INDEX event_tenant_user_deprovision_idx ON event (tenant_id, position)
    WHERE stream_type = 'User' AND event_type IN ('UserDeleted', 'UserPatched', 'UserReplaced');
