-- Online projection rebuild (docs/decisions/0012-online-projection-rebuild.md). The rebuild fills shadow copies of
-- the projection tables in the schema projection_shadow while the live ones keep serving, then swaps them in within
-- one transaction. The service role keeps its DML-only rights: the few DDL steps are these functions, owned by the
-- owner role (SECURITY DEFINER, fixed search_path), each doing one fixed thing to a fixed list of tables.

CREATE SCHEMA projection_shadow;
REVOKE ALL ON SCHEMA projection_shadow FROM PUBLIC;
-- USAGE lets the rebuild put the schema first in its search_path, so the one Projector's unqualified SQL writes the
-- shadow tables; no CREATE: tables appear there only through projection_shadow_prepare().
GRANT USAGE ON SCHEMA projection_shadow TO ${app_role};

CREATE FUNCTION projection_tables() RETURNS text[] LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp AS $$
    SELECT ARRAY['scim_user', 'scim_group', 'group_membership', 'user_name_claim', 'tenant', 'tenant_credential']
$$;

-- Empty shadow tables shaped like the live ones (columns, defaults, NOT NULL and CHECK constraints), without indexes:
-- a bulk load into unindexed tables followed by one index build is faster than maintaining the indexes row by row.
-- Leftovers of an earlier, interrupted rebuild are dropped first.
CREATE FUNCTION projection_shadow_prepare() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY public.projection_tables() LOOP
        EXECUTE format('DROP TABLE IF EXISTS projection_shadow.%I', t);
        EXECUTE format('CREATE TABLE projection_shadow.%I (LIKE public.%I INCLUDING ALL EXCLUDING INDEXES)', t, t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON projection_shadow.%I TO %I', t, '${app_role}');
    END LOOP;
END;
$$;

-- The live tables' primary keys, unique constraints and indexes, under their live names, on the shadow tables; then
-- planner statistics, so the first queries after the swap are planned on real numbers. Index names are per schema,
-- so the same names are free in projection_shadow, and they move with the tables at the swap.
CREATE FUNCTION projection_shadow_index() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
    c record;
    i record;
BEGIN
    FOREACH t IN ARRAY public.projection_tables() LOOP
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
        -- Statistics of every column but the JSON documents: those cost most to sample and no query's plan reads
        -- them (filters on a document's attributes are estimated by defaults); autovacuum completes them later.
        EXECUTE format('ANALYZE projection_shadow.%I (%s)', t, (
            SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
            WHERE attrelid = format('projection_shadow.%I', t)::regclass AND attnum > 0 AND NOT attisdropped
              AND atttypid <> 'jsonb'::regtype));
    END LOOP;
END;
$$;

-- Replaces the live tables with the shadow ones. The caller holds ACCESS EXCLUSIVE locks on the live tables and has
-- caught the shadow tables up with the log (ProjectionRebuilder.trySwitch). Indexes, constraints and grants move
-- with the tables. Statements waiting on the dropped tables, and plans cached on other connections, resolve the
-- names again and find the new tables.
CREATE FUNCTION projection_shadow_swap() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY public.projection_tables() LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = to_regclass(format('projection_shadow.%I', t))) THEN
            RAISE EXCEPTION 'projection_shadow.% is missing or not indexed: no swap', t;
        END IF;
    END LOOP;
    FOREACH t IN ARRAY public.projection_tables() LOOP
        EXECUTE format('DROP TABLE public.%I', t);
        EXECUTE format('ALTER TABLE projection_shadow.%I SET SCHEMA public', t);
    END LOOP;
END;
$$;

-- Drops the shadow tables of a rebuild that failed.
CREATE FUNCTION projection_shadow_discard() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY public.projection_tables() LOOP
        EXECUTE format('DROP TABLE IF EXISTS projection_shadow.%I', t);
    END LOOP;
END;
$$;

REVOKE ALL ON FUNCTION projection_shadow_prepare(), projection_shadow_index(), projection_shadow_swap(),
    projection_shadow_discard() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection_shadow_prepare(), projection_shadow_index(), projection_shadow_swap(),
    projection_shadow_discard() TO ${app_role};
