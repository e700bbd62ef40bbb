package io.scimledger.admission;

import io.scimledger.api.ScimResponses;
import io.scimledger.security.Caller;
import io.scimledger.tenants.Tenant;
import io.scimledger.tenants.TenantName;
import io.scimledger.tenants.TenantRegistry;
import io.scimledger.tenants.TenantSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Per-tenant admission control: one tenant's burst cannot starve the others. Every request of a registered tenant
 * (SCIM, audit, admin) takes a token from its tenant's bucket (rate {@code requestsPerSecond}, size {@code burst})
 * and one of its in-flight slots ({@code scim.admission.max-in-flight}); without either it is answered {@code 429}
 * with {@code Retry-After} as a SCIM error, before any work or database access. The tenant's settings override the
 * service defaults ({@code scim.admission.*}) when non-zero.
 *
 * <p>Buckets live in this instance's memory: with N instances behind a load balancer a tenant may get up to N times
 * its limit (docs/operations.md). The tenant is looked up in the registry's cache, so the check costs no query.
 * Runs after authentication (a post-matching filter, on the worker thread of a blocking endpoint); requests without
 * a tenant (anonymous, a platform token without one, an unregistered tenant) are left to the endpoint, which refuses
 * or serves them as before.
 */
public class AdmissionControl {

    private static final Logger LOG = Logger.getLogger(AdmissionControl.class);

    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlightByTenant = new ConcurrentHashMap<>();

    @Inject
    Caller caller;

    @Inject
    TenantRegistry registry;

    @ConfigProperty(name = "scim.admission.enabled")
    boolean enabled;

    @ConfigProperty(name = "scim.admission.requests-per-second")
    int defaultPerSecond;

    @ConfigProperty(name = "scim.admission.burst")
    int defaultBurst;

    @ConfigProperty(name = "scim.admission.max-in-flight")
    int maxInFlight;

    /**
     * Non-blocking on every thread: the registry's cache, else one non-blocking query. Reads run on the event loop
     * (docs/decisions/0006-blocking-write-path.md), and a limit that only applied on a cache hit would let a
     * tenant's reads through right after its settings changed.
     */
    @ServerRequestFilter
    public Uni<Response> admit(RoutingContext routing) {
        if (!enabled) {
            return Uni.createFrom().nullItem();
        }
        String name = caller.tokenTenant();
        if (name == null || !TenantName.isValid(name)) {
            return Uni.createFrom().nullItem();
        }
        Optional<Tenant> cached = registry.cachedOrNull(name);
        if (cached != null) {
            return Uni.createFrom().item(decide(name, cached, routing));
        }
        // A registry that cannot answer limits nothing: the endpoint's own lookup answers 503 for the outage.
        return registry.findAsync(name)
                .map(tenant -> decide(name, tenant, routing))
                .onFailure()
                .recoverWithNull();
    }

    /** Null to let the request in, else the 429 to answer. */
    private Response decide(String name, Optional<Tenant> tenant, RoutingContext routing) {
        if (tenant.isEmpty() || !tenant.get().active()) {
            return null;
        }
        TenantSettings settings = tenant.get().settings();
        int perSecond = settings.requestsPerSecond() > 0 ? settings.requestsPerSecond() : defaultPerSecond;
        int burst = settings.burst() > 0 ? settings.burst() : Math.max(defaultBurst, 1);
        if (perSecond > 0) {
            long waitNanos =
                    buckets.computeIfAbsent(name, n -> new TokenBucket()).tryTake(System.nanoTime(), perSecond, burst);
            if (waitNanos > 0) {
                long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
                LOG.debugf("tenant over its rate (%d/s, burst %d): 429", perSecond, burst);
                return ScimResponses.error(
                        429,
                        null,
                        "too many requests for this tenant (" + perSecond + " a second, bursts of " + burst
                                + "); retry after " + seconds + " s",
                        seconds);
            }
        }
        if (maxInFlight > 0) {
            AtomicInteger inFlight = inFlightByTenant.computeIfAbsent(name, n -> new AtomicInteger());
            if (inFlight.incrementAndGet() > maxInFlight) {
                inFlight.decrementAndGet();
                LOG.debugf("tenant has %d requests in flight: 429", maxInFlight);
                return ScimResponses.error(
                        429,
                        null,
                        "too many concurrent requests for this tenant (at most " + maxInFlight + "); retry after 1 s",
                        1);
            }
            // the end handler runs however the request ends: answered, failed, or the client went away
            routing.addEndHandler(done -> inFlight.decrementAndGet());
        }
        return null;
    }
}
