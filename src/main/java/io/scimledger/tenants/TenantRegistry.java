package io.scimledger.tenants;

import static io.scimledger.db.Database.query;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scimledger.db.Database;
import io.scimledger.events.JsonSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The tenant registry as every request sees it: which tenants exist, whether they are active, their settings,
 * trusted issuers and extension schemas. Read on every authenticated request, so it is cached in memory; the cache is only trusted while
 * this instance listens to the database's change notifications ({@value #CHANNEL}), which every change to the
 * registry sends in the transaction that records it. A suspension or a revoked token therefore takes effect on every
 * instance as soon as it commits; while the notification connection is down the cache is bypassed, and it is
 * emptied whenever the connection (re)opens, so a missed notification can never keep a stale entry alive.
 */
@ApplicationScoped
public class TenantRegistry {

    /** The PostgreSQL NOTIFY channel: payload "tenant:&lt;name&gt;" or "credentials". */
    public static final String CHANNEL = "scim_registry";

    private static final Logger LOG = Logger.getLogger(TenantRegistry.class);
    private static final String SELECT = "SELECT tenant_id, status, settings::text AS settings, "
            + "issuers::text AS issuers, schemas::text AS schemas, version, created, last_modified FROM tenant";

    private final Database db;
    private final Map<String, Optional<Tenant>> cache = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean listening;
    private PgSubscriber subscriber;
    private Vertx vertx;

    @ConfigProperty(name = "scim.db.host")
    String host;

    @ConfigProperty(name = "scim.db.port")
    int port;

    @ConfigProperty(name = "scim.db.name")
    String database;

    @ConfigProperty(name = "scim.db.app-user")
    String user;

    @ConfigProperty(name = "scim.db.app-password")
    String password;

    public TenantRegistry(Database db) {
        this.db = db;
    }

    void start(@Observes StartupEvent ignored, Vertx vertx) {
        this.vertx = vertx;
        PgConnectOptions options = new PgConnectOptions()
                .setHost(host)
                .setPort(port)
                .setDatabase(database)
                .setUser(user)
                .setPassword(password);
        subscriber = PgSubscriber.subscriber(vertx, options)
                .reconnectPolicy(retries -> 500L); // keep trying every half second, forever
        subscriber.channel(CHANNEL).handler(this::changed);
        subscriber.closeHandler(v -> {
            listening = false;
            LOG.warn("registry change notifications lost; reading the registry from the database until they resume");
        });
        connect();
    }

    private void connect() {
        subscriber.connect().onComplete(ar -> {
            if (ar.succeeded()) {
                clear();
                listening = true;
            } else {
                LOG.warnf(
                        "cannot listen for registry changes yet (%s); retrying",
                        ar.cause().getMessage());
                // the subscriber's reconnect policy applies only once a first connection succeeded
                vertx.setTimer(1000, t -> connect());
            }
        });
    }

    void stop(@Observes ShutdownEvent ignored) {
        listening = false;
        if (subscriber != null) {
            subscriber.close();
        }
    }

    private void changed(String payload) {
        if (payload != null && payload.startsWith("tenant:")) {
            cache.remove(payload.substring("tenant:".length()));
        }
        listeners.forEach(l -> l.accept(payload));
    }

    /**
     * Forgets what this instance cached about a change it just committed itself, without waiting for the
     * notification to come back (which every other instance waits for).
     */
    void committedHere(String tenant, boolean credentials) {
        changed("tenant:" + tenant);
        if (credentials) {
            changed("credentials");
        }
    }

    private void clear() {
        cache.clear();
        listeners.forEach(l -> l.accept("*"));
    }

    /** Called with every change notification ("*" when everything must be forgotten); for other caches. */
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** True while change notifications arrive, i.e. while a cache of registry data may be trusted. */
    public boolean cacheable() {
        return listening;
    }

    /** The tenant, from the cache when it can be trusted; blocking, for worker threads. */
    public Optional<Tenant> find(String name) {
        if (listening) {
            Optional<Tenant> cached = cache.get(name);
            if (cached != null) {
                return cached;
            }
        }
        Optional<Tenant> loaded = db.withConnection(conn -> load(conn, name));
        remember(name, loaded);
        return loaded;
    }

    /**
     * The tenant if this instance's cache holds it and may be trusted, without blocking or querying; null when
     * only a query could tell (for callers on the event loop that can do without, such as admission control).
     */
    public Optional<Tenant> cachedOrNull(String name) {
        return listening ? cache.get(name) : null;
    }

    /** {@link #find(String)} without blocking, for code on the event loop (SCIM reads, admission control). */
    public Uni<Optional<Tenant>> findAsync(String name) {
        if (listening) {
            Optional<Tenant> cached = cache.get(name);
            if (cached != null) {
                return Uni.createFrom().item(cached);
            }
        }
        // Retried while PostgreSQL restarts, then 503, like every read (Database.read).
        return db.read(client ->
                        client.preparedQuery(SELECT + " WHERE tenant_id = $1").execute(Tuple.of(name)))
                .map(rows -> {
                    Optional<Tenant> t = rows.size() == 0
                            ? Optional.empty()
                            : Optional.of(fromRow(rows.iterator().next()));
                    remember(name, t);
                    return t;
                });
    }

    private void remember(String name, Optional<Tenant> tenant) {
        if (listening) {
            cache.put(name, tenant);
        }
    }

    public Optional<Tenant> load(SqlClient conn, String name) {
        var rows = query(conn, SELECT + " WHERE tenant_id = $1", name);
        return rows.size() == 0
                ? Optional.empty()
                : Optional.of(fromRow(rows.iterator().next()));
    }

    /** The active tenants that trust {@code issuer} (few, and only read for tokens of a tenant's issuer). */
    public List<Tenant> trusting(String issuer) {
        return db.withConnection(conn -> {
            List<Tenant> out = new ArrayList<>();
            String filter = io.vertx.core.json.JsonArray.of(io.vertx.core.json.JsonObject.of("issuer", issuer))
                    .encode();
            for (Row r : query(conn, SELECT + " WHERE status = 'active' AND issuers @> $1::text::jsonb", filter)) {
                out.add(fromRow(r));
            }
            return out;
        });
    }

    public List<Tenant> all() {
        return db.withConnection(conn -> {
            List<Tenant> out = new ArrayList<>();
            for (Row r : query(conn, SELECT + " ORDER BY tenant_id")) {
                out.add(fromRow(r));
            }
            return out;
        });
    }

    static Tenant fromRow(Row r) {
        List<TrustedIssuer> issuers = new ArrayList<>();
        JsonSupport.toJsonNode(r.getString("issuers")).forEach(i -> issuers.add(TrustedIssuer.fromStored(i)));
        List<ExtensionSchema> schemas = new ArrayList<>();
        JsonSupport.toJsonNode(r.getString("schemas")).forEach(s -> schemas.add(ExtensionSchema.fromStored(s)));
        return new Tenant(
                r.getString("tenant_id"),
                Tenant.Status.valueOf(r.getString("status")),
                TenantSettings.fromStored(JsonSupport.toJsonNode(r.getString("settings"))),
                issuers,
                schemas,
                r.getLong("version"),
                r.getOffsetDateTime("created").toInstant(),
                r.getOffsetDateTime("last_modified").toInstant());
    }
}
