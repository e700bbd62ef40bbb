package io.scimledger.projection;

import static io.scimledger.db.Database.query;

import io.scimledger.scim.ScimException;
import io.scimledger.scim.filter.Filter;
import io.scimledger.scim.filter.FilterParser;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Filtered, sorted, paged lists (RFC 7644 section 3.4.2) run as one parameterised SQL statement on the projection
 * plus a count: rows are never filtered or sorted in Java, and a page never loads the table.
 */
@ApplicationScoped
public class ResourceSearch {

    /** Advertised as filter.maxResults in /ServiceProviderConfig; larger counts are capped to it. */
    public static final int MAX_RESULTS = 200;

    public static final int DEFAULT_COUNT = 100;

    /** @param cursor null for index paging (RFC 7644); "" or a cursor for cursor paging (RFC 9865) */
    public record Query(
            String filter, Integer startIndex, Integer count, String sortBy, String sortOrder, String cursor) {

        /** RFC 7644 section 3.4.2.3: sortOrder is "ascending" or "descending"; anything else is 400 invalidValue. */
        public Query {
            if (sortOrder != null
                    && !sortOrder.isEmpty()
                    && !sortOrder.equalsIgnoreCase("ascending")
                    && !sortOrder.equalsIgnoreCase("descending")) {
                throw io.scimledger.scim.ScimException.invalidValue("sortOrder must be 'ascending' or 'descending'");
            }
        }

        public Query(String filter, Integer startIndex, Integer count, String sortBy, String sortOrder) {
            this(filter, startIndex, count, sortBy, sortOrder, null);
        }
    }

    /** @param nextCursor with cursor paging, the cursor of the next page, or null on the last page */
    public record Page<T>(long totalResults, int startIndex, List<T> resources, String nextCursor) {

        public boolean cursorPaging() {
            return startIndex == 0;
        }
    }

    private final Cursors cursors;
    private final io.scimledger.tenants.TenantSchemas schemas;

    public ResourceSearch(Cursors cursors, io.scimledger.tenants.TenantSchemas schemas) {
        this.cursors = cursors;
        this.schemas = schemas;
    }

    public Page<ResourceRow> users(SqlClient conn, String tenant, Query q) {
        return search(conn, tenant, q, schemas.userType(tenant), "scim_user", ResourceQueries::row);
    }

    public Page<ResourceRow> groups(SqlClient conn, String tenant, Query q) {
        return search(conn, tenant, q, schemas.groupType(tenant), "scim_group", ResourceQueries::row);
    }

    private <T> Page<T> search(
            SqlClient conn,
            String tenant,
            Query q,
            ResourceTypeDefinition type,
            String table,
            java.util.function.Function<Row, T> mapper) {
        List<Object> params = new ArrayList<>();
        params.add(tenant);
        String where = "r.tenant_id = $1";
        if (q.filter() != null && !q.filter().isBlank()) {
            Filter filter = FilterParser.parse(q.filter());
            where += " AND (" + SqlFilterTranslator.toSql(filter, type, params) + ")";
        }
        long total = query(conn, "SELECT count(*) AS n FROM " + table + " r WHERE " + where, params)
                .iterator()
                .next()
                .getLong("n");
        int count = q.count() == null ? DEFAULT_COUNT : Math.max(0, Math.min(q.count(), MAX_RESULTS));
        if (q.cursor() != null) {
            return cursorPage(conn, tenant, q, type, table, where, params, count, total, mapper);
        }
        int startIndex = q.startIndex() == null || q.startIndex() < 1 ? 1 : q.startIndex();
        List<T> page = new ArrayList<>();
        if (count > 0 && total >= startIndex) {
            AttributePath sortBy = q.sortBy() == null || q.sortBy().isBlank() ? null : AttributePath.parse(q.sortBy());
            boolean descending = q.sortOrder() != null && q.sortOrder().equalsIgnoreCase("descending");
            String order = SqlFilterTranslator.orderBy(sortBy, type, descending);
            List<Object> pageParams = new ArrayList<>(params);
            pageParams.add((long) startIndex - 1);
            pageParams.add((long) count);
            String sql = "SELECT " + ResourceQueries.COLUMNS + " FROM " + table + " r WHERE " + where + " ORDER BY "
                    + order + " OFFSET $" + (pageParams.size() - 1) + " LIMIT $" + pageParams.size();
            for (Row r : query(conn, sql, pageParams)) {
                page.add(mapper.apply(r));
            }
        }
        return new Page<>(total, startIndex, page, null);
    }

    /**
     * Keyset paging in creation order: the page after the cursor's (created, id), read through the
     * (tenant_id, created, id) index however deep the client has paged, and stable under concurrent inserts.
     */
    private <T> Page<T> cursorPage(
            SqlClient conn,
            String tenant,
            Query q,
            ResourceTypeDefinition type,
            String table,
            String where,
            List<Object> params,
            int count,
            long total,
            java.util.function.Function<Row, T> mapper) {
        if (q.sortBy() != null && !q.sortBy().isBlank()) {
            throw ScimException.invalidValue("cursor pagination is in creation order; sortBy needs index pagination");
        }
        var after = cursors.read(q.cursor(), tenant, type.name(), q.filter());
        List<Object> pageParams = new ArrayList<>(params);
        String keyset = "";
        if (after.isPresent()) {
            pageParams.add(java.time.OffsetDateTime.ofInstant(after.get().created(), java.time.ZoneOffset.UTC));
            pageParams.add(after.get().id());
            keyset = " AND (r.created, r.id) > ($" + (pageParams.size() - 1) + ", $" + pageParams.size() + ")";
        }
        pageParams.add((long) count + 1);
        String sql = "SELECT " + ResourceQueries.COLUMNS + " FROM " + table + " r WHERE " + where + keyset
                + " ORDER BY r.created, r.id LIMIT $" + pageParams.size();
        List<Row> rows = new ArrayList<>();
        query(conn, sql, pageParams).forEach(rows::add);
        String next = null;
        if (rows.size() > count) {
            rows = rows.subList(0, count);
            if (count > 0) {
                Row last = rows.get(count - 1);
                next = cursors.issue(
                        tenant,
                        type.name(),
                        q.filter(),
                        new Cursors.Position(last.getOffsetDateTime("created").toInstant(), last.getUUID("id")));
            } else {
                next = q.cursor();
            }
        }
        List<T> page = new ArrayList<>();
        rows.forEach(r -> page.add(mapper.apply(r)));
        return new Page<>(total, 0, page, next);
    }
}
