package io.scimledger.ops;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Where a request's time goes, as cheap timers (one {@code System.nanoTime()} pair each) in the metric
 * {@code scim.phase} with a bounded tag {@code phase}: bearer-token verification, waiting for a pooled connection,
 * statements (send to last row), commit, and giving the connection back. The request as a whole is Quarkus'
 * {@code http.server.requests}; what is left between the two is framework, thread hops and rendering. bench/speed.sh
 * prints them per run (docs/performance.md, "Where the time goes").
 *
 * <p>Static because {@code db.Database}'s statement helpers are static; the meters live in Micrometer's global
 * registry, to which Quarkus adds its Prometheus registry.
 */
public final class Phases {

    public static final Timer AUTH_JWT = timer("auth.jwt");
    public static final Timer AUTH_JWT_CACHED = timer("auth.jwt.cached");
    public static final Timer AUTH_PROVISIONING = timer("auth.provisioning");
    public static final Timer DB_ACQUIRE = timer("db.acquire");
    public static final Timer DB_STATEMENT = timer("db.statement");
    public static final Timer DB_COMMIT = timer("db.commit");
    public static final Timer DB_RELEASE = timer("db.release");

    private Phases() {}

    private static Timer timer(String phase) {
        return Timer.builder("scim.phase")
                .description("Time spent in one phase of a request")
                .tag("phase", phase)
                .register(Metrics.globalRegistry);
    }

    /** Records the time since {@code startNanos} (a {@code System.nanoTime()} value). */
    public static void since(Timer timer, long startNanos) {
        timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
