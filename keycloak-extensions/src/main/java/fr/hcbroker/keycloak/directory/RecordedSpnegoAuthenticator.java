package fr.hcbroker.keycloak.directory;

import jakarta.ws.rs.core.HttpHeaders;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationProcessor;
import org.keycloak.authentication.FlowStatus;
import org.keycloak.authentication.authenticators.browser.SpnegoAuthenticator;
import org.keycloak.events.Errors;

/**
 * Keycloak's Kerberos (SPNEGO) step, plus a record of refused tokens. Keycloak turns a token that no
 * directory accepts (unreadable, replayed, for another service or realm, sealed with keys the keytab
 * no longer has) into "attempted": the person gets the password form, and nothing is recorded. Here
 * the same fall-back also sends a {@code LOGIN_ERROR} event, so the audit trail holds each refusal.
 */
final class RecordedSpnegoAuthenticator extends SpnegoAuthenticator {

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        super.authenticate(context);
        String header = context.getHttpRequest().getHttpHeaders().getRequestHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        boolean negotiate = header != null && header.regionMatches(true, 0, "Negotiate ", 0, 10);
        if (negotiate && context instanceof AuthenticationProcessor.Result result && result.getStatus() == FlowStatus.ATTEMPTED) {
            // A copy of the flow's event: the login's own event stays unsent for the fall-back's outcome.
            context.getEvent().clone().detail("auth_method", "kerberos").error(Errors.INVALID_USER_CREDENTIALS);
        }
    }
}
