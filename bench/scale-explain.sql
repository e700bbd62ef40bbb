-- EXPLAIN (ANALYZE, BUFFERS) of the statements the service runs for the scale scenarios, as ResourceSearch /
-- SqlFilterTranslator / ResourceQueries build them (same text, same $n parameters, prepared like the Vert.x
-- client does). Variables: tenant, id, un (case-varied userName), ext, fam, prefix, after_created, after_id.
\set ON_ERROR_STOP on
\pset pager off

\echo '=== GET /Users/{id}'
PREPARE q_get(text, uuid) AS SELECT r.id, r.doc, r.version, r.created, r.last_modified FROM scim_user r WHERE r.tenant_id = $1 AND r.id = $2;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_get(:'tenant', :'id');

\echo '=== filter userName eq: count'
PREPARE q_un_count(text, text) AS SELECT count(*) AS n FROM scim_user r WHERE r.tenant_id = $1 AND ((lower(r.user_name) = lower($2::text)));
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_un_count(:'tenant', :'un');
\echo '=== filter userName eq: page'
PREPARE q_un_page(text, text, bigint, bigint) AS SELECT r.id, r.doc, r.version, r.created, r.last_modified FROM scim_user r WHERE r.tenant_id = $1 AND ((lower(r.user_name) = lower($2::text))) ORDER BY r.created, r.id OFFSET $3 LIMIT $4;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_un_page(:'tenant', :'un', 0, 100);

\echo '=== filter externalId eq: count'
PREPARE q_ext_count(text, text) AS SELECT count(*) AS n FROM scim_user r WHERE r.tenant_id = $1 AND ((r.external_id = $2::text));
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_ext_count(:'tenant', :'ext');
\echo '=== filter externalId eq: page'
PREPARE q_ext_page(text, text, bigint, bigint) AS SELECT r.id, r.doc, r.version, r.created, r.last_modified FROM scim_user r WHERE r.tenant_id = $1 AND ((r.external_id = $2::text)) ORDER BY r.created, r.id OFFSET $3 LIMIT $4;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_ext_page(:'tenant', :'ext', 0, 100);

\echo '=== filter userName sw + sortBy=userName: count'
PREPARE q_sw_count(text, text) AS SELECT count(*) AS n FROM scim_user r WHERE r.tenant_id = $1 AND ((lower(r.user_name) LIKE lower($2::text) ESCAPE '\'));
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_sw_count(:'tenant', :'prefix' || '%');
\echo '=== filter userName sw + sortBy=userName: page'
PREPARE q_sw_page(text, text, bigint, bigint) AS SELECT r.id, r.doc, r.version, r.created, r.last_modified FROM scim_user r WHERE r.tenant_id = $1 AND ((lower(r.user_name) LIKE lower($2::text) ESCAPE '\')) ORDER BY lower(r.user_name) ASC NULLS LAST, r.id OFFSET $3 LIMIT $4;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_sw_page(:'tenant', :'prefix' || '%', 0, 100);

\echo '=== filter name.familyName eq (no index): count'
PREPARE q_fam_count(text, text) AS SELECT count(*) AS n FROM scim_user r WHERE r.tenant_id = $1 AND ((lower(((r.doc -> 'name') ->> 'familyName')) = lower($2::text)));
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_fam_count(:'tenant', :'fam');
\echo '=== filter name.familyName eq (no index): page'
PREPARE q_fam_page(text, text, bigint, bigint) AS SELECT r.id, r.doc, r.version, r.created, r.last_modified FROM scim_user r WHERE r.tenant_id = $1 AND ((lower(((r.doc -> 'name') ->> 'familyName')) = lower($2::text))) ORDER BY r.created, r.id OFFSET $3 LIMIT $4;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_fam_page(:'tenant', :'fam', 0, 100);

\echo '=== unfiltered list: count (runs for EVERY list request, also with a cursor)'
PREPARE q_all_count(text) AS SELECT count(*) AS n FROM scim_user r WHERE r.tenant_id = $1;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_all_count(:'tenant');

\echo '=== sortBy=userName startIndex=1 count=100: page'
PREPARE q_sort_page(text, bigint, bigint) AS SELECT r.id, r.doc, r.version, r.created, r.last_modified FROM scim_user r WHERE r.tenant_id = $1 ORDER BY lower(r.user_name) ASC NULLS LAST, r.id OFFSET $2 LIMIT $3;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_sort_page(:'tenant', 0, 100);
\echo '=== sortBy=userName startIndex=500000 count=100: page'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_sort_page(:'tenant', 499999, 100);

\echo '=== default order startIndex=500000 count=100: page'
PREPARE q_created_page(text, bigint, bigint) AS SELECT r.id, r.doc, r.version, r.created, r.last_modified FROM scim_user r WHERE r.tenant_id = $1 ORDER BY r.created, r.id OFFSET $2 LIMIT $3;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_created_page(:'tenant', 499999, 100);

\echo '=== cursor page in the middle of the tenant (keyset after the 500,000th user)'
PREPARE q_cursor_page(text, timestamptz, uuid, bigint) AS SELECT r.id, r.doc, r.version, r.created, r.last_modified FROM scim_user r WHERE r.tenant_id = $1 AND (r.created, r.id) > ($2, $3) ORDER BY r.created, r.id LIMIT $4;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_cursor_page(:'tenant', :'after_created', :'after_id', 101);

\echo '=== generic plans (what a prepared statement may switch to after 5 executions)'
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_un_count(:'tenant', :'un');
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_ext_page(:'tenant', :'ext', 0, 100);
EXPLAIN (ANALYZE, BUFFERS) EXECUTE q_sort_page(:'tenant', 499999, 100);
RESET plan_cache_mode;
