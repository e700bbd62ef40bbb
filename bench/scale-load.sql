-- Bulk-loads :users users into tenant :'tenant' straight into the read model (scim_user + user_name_claim),
-- bypassing the event log: this measures the READ path on a large projection, not the write path.
-- The jsonb doc is the doc of one template user created through the API (:'template_id'), with its values
-- replaced per row, so every row has exactly the shape Projector.insertUser writes.
-- Run as the schema owner: psql -v tenant=... -v template_id=... -v users=1000000 -f bench/scale-load.sql
\set ON_ERROR_STOP on
\timing on
BEGIN;
CREATE TEMP TABLE scale_template ON COMMIT DROP AS
  SELECT doc FROM scim_user WHERE tenant_id = :'tenant' AND id = :'template_id'::uuid;
SELECT doc AS template_doc FROM scale_template;

INSERT INTO scim_user (tenant_id, id, user_name, external_id, active, doc, version, created, last_modified)
SELECT :'tenant', gen_random_uuid(), g.user_name, g.external_id, g.active,
       t.doc || jsonb_build_object(
         'userName', g.user_name,
         'externalId', g.external_id,
         'name', jsonb_build_object('givenName', g.given, 'familyName', g.family, 'formatted', g.given || ' ' || g.family),
         'displayName', g.given || ' ' || g.family,
         'title', g.title,
         'emails', jsonb_build_array(jsonb_build_object('value', g.user_name, 'type', 'work', 'primary', true)),
         'active', g.active),
       1, g.created, g.created
FROM scale_template t,
LATERAL (
  SELECT i,
         'u' || lpad(i::text, 7, '0') || '.' || lower(s.family) || '@example.com' AS user_name,
         'ext-' || substr(md5('ext' || i), 1, 20) AS external_id,
         s.given, s.family, s.title,
         (i % 17 <> 0) AS active,
         timestamptz '2025-01-01 00:00:00+00' + i * interval '30 seconds' AS created
  FROM generate_series(1, :users) AS i,
  LATERAL (SELECT (ARRAY['Anna','Ben','Chen','Dara','Emil','Fatima','Goran','Hana','Ivan','Jun',
                         'Kofi','Lena','Mateo','Nora','Omar','Priya','Quinn','Rosa','Sven','Yuki'])[1 + i % 20] AS given,
                  (ARRAY['Smith','Garcia','Nguyen','Muller','Rossi','Kowalski','Tanaka','Okafor','Silva','Novak',
                         'Jensen','Haddad','Ivanova','Kim','Dubois','Patel','Cohen','Larsen','Moreau','Sato'])[1 + (i / 20) % 20]
                    || '-' || (i % 50021) AS family,
                  (ARRAY['Engineer','Analyst','Manager','Designer','Accountant','Consultant','Technician','Director'])[1 + i % 8] AS title
          ) s
) g;

INSERT INTO user_name_claim (tenant_id, user_name_lower, user_id)
SELECT tenant_id, lower(user_name), id FROM scim_user WHERE tenant_id = :'tenant' AND id <> :'template_id'::uuid;
COMMIT;
ANALYZE scim_user;
ANALYZE user_name_claim;
SELECT count(*) AS users_in_tenant, pg_size_pretty(pg_total_relation_size('scim_user')) AS scim_user_total_size
FROM scim_user WHERE tenant_id = :'tenant';
