BEGIN;
SELECT r.id, r.doc::text AS doc, r.version, r.created, r.last_modified FROM scim_user r WHERE r.tenant_id = 'bench-pg' AND r.id = '@ID@';
SELECT wrapped_key FROM data_key WHERE subject_id = '@ID@';
SELECT (payload -> 'state')::text AS s FROM event WHERE tenant_id = 'bench-pg' AND stream_id = '@ID@' AND stream_version = 1;
SELECT hash FROM event WHERE tenant_id = 'bench-pg' AND stream_id = '@ID@' AND stream_version = 1;
INSERT INTO event (event_id, tenant_id, stream_type, stream_id, stream_version, event_type, schema_version, occurred_at, actor_subject, actor_client_id, request_id, client_address, txn_id, payload, prev_hash, hash) VALUES (gen_random_uuid(), 'bench-pg', 'User', gen_random_uuid(), 2, 'UserPatched', 1, now(), 'bench', 'bench-client', gen_random_uuid()::text, '127.0.0.1', gen_random_uuid(), :payload::text::jsonb, sha256(random()::text::bytea), sha256(random()::text::bytea)) RETURNING position;
UPDATE scim_user SET user_name = 'pg-' || '@ID@', external_id = NULL, active = true, doc = :doc::text::jsonb, version = version + 1, last_modified = now() WHERE tenant_id = 'bench-pg' AND id = '@ID@';
COMMIT;
