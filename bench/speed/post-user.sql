BEGIN;
INSERT INTO event (event_id, tenant_id, stream_type, stream_id, stream_version, event_type, schema_version, occurred_at, actor_subject, actor_client_id, request_id, client_address, txn_id, payload, prev_hash, hash) VALUES (gen_random_uuid(), 'bench-pg', 'User', gen_random_uuid(), 1, 'UserCreated', 1, now(), 'bench', 'bench-client', gen_random_uuid()::text, '127.0.0.1', gen_random_uuid(), :payload::text::jsonb, NULL, sha256(random()::text::bytea)) RETURNING position, stream_id AS sid \gset
INSERT INTO data_key (tenant_id, subject_id, wrapped_key, master_key_id) VALUES ('bench-pg', :sid, sha256(random()::text::bytea) || sha256(random()::text::bytea), 'm1');
INSERT INTO scim_user (tenant_id, id, user_name, external_id, active, doc, version, created, last_modified) VALUES ('bench-pg', :sid, 'pg-' || :sid, NULL, true, :doc::text::jsonb, 1, now(), now());
INSERT INTO user_name_claim (tenant_id, user_name_lower, user_id) VALUES ('bench-pg', lower('pg-' || :sid), :sid);
COMMIT;
