package io.scimledger.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The absolute base URL of the SCIM API for meta.location, $ref and Location headers: configured
 * ({@code scim.public-base-url}) behind proxies, else derived from the request's scheme and Host.
 */
@RequestScoped
public class BaseUrl {

    @Inject
    HttpServerRequest request;

    @ConfigProperty(name = "scim.public-base-url")
    Optional<String> configured;

    @ConfigProperty(name = "scim.base-path")
    String basePath;

    public String get() {
        if (configured.isPresent()) {
            return configured.get().replaceAll("/+$", "");
        }
        String host = request.getHeader("Host");
        if (host == null) {
            host = request.localAddress().hostAddress() + ":"
                    + request.localAddress().port();
        }
        return request.scheme() + "://" + host + basePath;
    }
}
