package io.scimledger.projection;

import static io.scimledger.db.Database.statement;

import io.scimledger.scim.ScimException;
import io.scimledger.scim.filter.Filter;
import io.scimledger.scim.filter.FilterParser;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Filtered, sorted, paged lists (RFC 7644 section 3.4.2) run as ONE parameterised SQL statement on the projection
 * that returns the count and the page together: rows are never filtered or sorted in Java, a page never loads the
 * table, and a list costs one round trip (docs/performance.md). Non-blocking: the read path stays on the event loop.
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

    public ResourceSearch(Cursors cursors) {
        this.cursors = cursors;
    }

    /** @param type the caller's tenant's User type (its extensions decide which attributes a filter may name) */
    public Uni<Page<ResourceRow>> users(SqlClient conn, String tenant, ResourceTypeDefinition type, Query q) {
        return search(conn, tenant, q, type, "scim_user");
    }

    /** @param type the caller's tenant's Group type */
    public Uni<Page<ResourceRow>> groups(SqlClient conn, String tenant, ResourceTypeDefinition type, Query q) {
        return search(conn, tenant, q, type, "scim_group");
    }

    private Uni<Page<ResourceRow>> search(
            SqlClient conn, String tenant, Query q, ResourceTypeDefinition type, String table) {
        List<Object> params = new ArrayList<>();
        params.add(tenant);
        String where = "r.tenant_id = $1";
        if (q.filter() != null && !q.filter().isBlank()) {
            Filter filter = FilterParser.parse(q.filter());
            where += " AND (" + SqlFilterTranslator.toSql(filter, type, params) + ")";
        }
        int count = q.count() == null ? DEFAULT_COUNT : Math.max(0, Math.min(q.count(), MAX_RESULTS));
        if (q.cursor() != null) {
            return cursorPage(conn, tenant, q, type, table, where, params, count);
        }
        int startIndex = q.startIndex() == null || q.startIndex() < 1 ? 1 : q.startIndex();
        AttributePath sortBy = q.sortBy() == null || q.sortBy().isBlank() ? null : AttributePath.parse(q.sortBy());
        boolean descending = q.sortOrder() != null && q.sortOrder().equalsIgnoreCase("descending");
        String order = SqlFilterTranslator.orderBy(sortBy, type, descending);
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add((long) startIndex - 1);
        pageParams.add((long) count);
        String page = "SELECT " + ResourceQueries.COLUMNS + " FROM " + table + " r WHERE " + where + " ORDER BY "
                + order + " OFFSET $" + (pageParams.size() - 1) + " LIMIT $" + pageParams.size();
        return statement(conn, countAndPage(table, where, page), pageParams)
                .map(rows -> new Page<>(total(rows), startIndex, resources(rows), null));
    }

    /**
     * The count of all matches and one page of them in one statement. The count is a one-row relation joined to
     * the page: the statement returns a row even when the page is empty (its columns null), and, joined on
     * {@code true} to a single row, the page keeps the order its own ORDER BY gave it. The page subquery keeps its
     * own index-ordered LIMIT plan; counting costs what the separate {@code count(*)} cost before.
     */
    private static String countAndPage(String table, String where, String page) {
        return "SELECT c.total_results, p.* FROM (SELECT count(*) AS total_results FROM " + table + " r WHERE " + where
                + ") c LEFT JOIN LATERAL (" + page + ") p ON true";
    }

    private static long total(RowSet<Row> rows) {
        return rows.iterator().next().getLong("total_results");
    }

    private static List<ResourceRow> resources(RowSet<Row> rows) {
        List<ResourceRow> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            if (r.getUUID("id") != null) {
                out.add(ResourceQueries.row(r));
            }
        }
        return out;
    }

    /**
     * Keyset paging in creation order: the page after the cursor's (created, id), read through the
     * (tenant_id, created, id) index however deep the client has paged, and stable under concurrent inserts.
     */
    private Uni<Page<ResourceRow>> cursorPage(
            SqlClient conn,
            String tenant,
            Query q,
            ResourceTypeDefinition type,
            String table,
            String where,
            List<Object> params,
            int count) {
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
        String page = "SELECT " + ResourceQueries.COLUMNS + " FROM " + table + " r WHERE " + where + keyset
                + " ORDER BY r.created, r.id LIMIT $" + pageParams.size();
        return statement(conn, countAndPage(table, where, page), pageParams).map(rows -> {
            List<ResourceRow> resources = resources(rows);
            String next = null;
            if (resources.size() > count) {
                resources = resources.subList(0, count);
                if (count > 0) {
                    ResourceRow last = resources.get(count - 1);
                    next = cursors.issue(
                            tenant, type.name(), q.filter(), new Cursors.Position(last.created(), last.id()));
                } else {
                    next = q.cursor();
                }
            }
            return new Page<>(total(rows), 0, resources, next);
        });
    }
}
