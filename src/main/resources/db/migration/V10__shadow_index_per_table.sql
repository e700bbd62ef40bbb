-- Online projection rebuild, faster index step (docs/decisions/0012-online-projection-rebuild.md, "Measured"): the
-- shadow tables' indexes can be built one table at a time, so the rebuild builds scim_user's (the widest table, four
-- indexes) on one connection while another builds the others. Still owner-owned SECURITY DEFINER with a fixed
-- search_path, and the table must be one of projection_tables(): the service role names a table of that fixed list,
-- never SQL.
--
-- maintenance_work_mem: the default 64MB sorts a million-row index on disk in several runs; 256MB keeps the sort of
-- a few million index entries in memory. Set for these functions' own duration only (it is a per-session setting,
-- not a server one); two rebuild connections use at most twice that, once per rebuild.

CREATE FUNCTION projection_shadow_index(t text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET maintenance_work_mem = '256MB' AS $$
DECLARE
    c record;
    i record;
BEGIN
    IF t IS NULL OR NOT t = ANY (public.projection_tables()) THEN
        RAISE EXCEPTION 'not a projection table: %', t;
    END IF;
    FOR c IN
        SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid = format('public.%I', t)::regclass AND contype IN ('p', 'u') ORDER BY conname
    LOOP
        EXECUTE format('ALTER TABLE projection_shadow.%I ADD CONSTRAINT %I %s', t, c.conname, c.def);
    END LOOP;
    FOR i IN
        SELECT pg_get_indexdef(x.indexrelid) AS def FROM pg_index x
        WHERE x.indrelid = format('public.%I', t)::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
        ORDER BY x.indexrelid
    LOOP
        EXECUTE replace(i.def, format(' ON public.%I USING ', t), format(' ON projection_shadow.%I USING ', t));
    END LOOP;
    -- Statistics of every column but the JSON documents: those cost most to sample and no query's plan reads them
    -- (filters on a document's attributes are estimated by defaults); autovacuum completes them later.
    EXECUTE format('ANALYZE projection_shadow.%I (%s)', t, (
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
        WHERE attrelid = format('projection_shadow.%I', t)::regclass AND attnum > 0 AND NOT attisdropped
          AND atttypid <> 'jsonb'::regtype));
END;
$$;

-- All tables, one after the other (kept for callers of V9's function).
CREATE OR REPLACE FUNCTION projection_shadow_index() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY public.projection_tables() LOOP
        PERFORM public.projection_shadow_index(t);
    END LOOP;
END;
$$;

REVOKE ALL ON FUNCTION projection_shadow_index(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection_shadow_index(text) TO ${app_role};
