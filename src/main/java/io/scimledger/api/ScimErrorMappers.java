package io.scimledger.api;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.scimledger.db.DatabaseUnavailableException;
import io.scimledger.db.PgErrors;
import io.scimledger.scim.ScimException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure leaves as RFC 7644 section 3.12 error JSON: protocol errors with their scimType, authentication and
 * authorisation as 401/403, framework errors (404, 405, 406, 415, 413) with their status, and anything unexpected as
 * a 500 whose detail names the request id but never a stack trace. A database outage, wherever it surfaces (the
 * write path, a read, or the token lookup during authentication), is a 503 with Retry-After, never a 500 or 401.
 */
public class ScimErrorMappers {

    private static final Logger LOG = Logger.getLogger(ScimErrorMappers.class);

    @ServerExceptionMapper
    public Response scim(ScimException e) {
        return ScimResponses.error(e);
    }

    @ServerExceptionMapper
    public Response unavailable(DatabaseUnavailableException e) {
        return databaseUnavailable(e);
    }

    static Response databaseUnavailable(Throwable e) {
        boolean unknown = e instanceof DatabaseUnavailableException d && d.outcomeUnknown();
        LOG.warnf("database unavailable%s: %s", unknown ? " at commit (outcome unknown)" : "", rootMessage(e));
        return ScimResponses.error(
                503,
                null,
                unknown
                        ? "the database connection was lost while committing: the change may or may not have been applied;"
                                + " read the resource before retrying"
                        : "the database is unavailable; retry later");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public Response unauthenticated(RuntimeException e) {
        if (PgErrors.isUnavailable(e)) {
            return databaseUnavailable(e); // the token could not be checked: not the client's fault
        }
        return ScimResponses.error(401, null, "a valid bearer token is required");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return ScimResponses.error(403, null, "the token lacks the scope this operation needs");
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return ScimResponses.error(404, null, "no such endpoint or resource");
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        Response r = ScimResponses.error(405, null, "method not allowed on this endpoint");
        return Response.fromResponse(r)
                .allow(e.getResponse().getAllowedMethods())
                .build();
    }

    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e) {
        return ScimResponses.error(415, null, "send application/scim+json or application/json");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500 && PgErrors.isUnavailable(e)) {
            return databaseUnavailable(e);
        }
        if (status >= 500) {
            LOG.error("request failed", e);
            return ScimResponses.error(status, null, "internal error");
        }
        String detail = status == 413 ? "request body too large" : e.getMessage();
        return ScimResponses.error(status, status == 400 ? "invalidSyntax" : null, detail);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (PgErrors.isUnavailable(e)) {
            return databaseUnavailable(e);
        }
        LOG.error("unexpected failure", e);
        return ScimResponses.error(500, null, "internal error; the service logged the cause");
    }
}
