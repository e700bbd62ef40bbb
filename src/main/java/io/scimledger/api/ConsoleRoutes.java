package io.scimledger.api;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The auditor's console (docs/console.md) is static files under {@code META-INF/resources/console/}, served without
 * a token: it holds no data. Everything it shows it fetches from {@code /audit} with the token the reviewer pastes,
 * so scopes and tenancy stay enforced by the API. This only sends {@code /console} to {@code /console/}, where the
 * page's relative links resolve. (A Vert.x route, not JAX-RS: every JAX-RS endpoint must name a scope.)
 */
@ApplicationScoped
public class ConsoleRoutes {

    void routes(@Observes Router router) {
        router.get("/console").order(-1).handler(rc -> {
            if ("/console".equals(rc.normalizedPath())) {
                rc.response()
                        .setStatusCode(302)
                        .putHeader("Location", "/console/")
                        .end();
            } else {
                rc.next();
            }
        });
    }
}
