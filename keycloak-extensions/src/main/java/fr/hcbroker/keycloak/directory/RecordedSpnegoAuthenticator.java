package fr.hcbroker.keycloak.directory;

import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationProcessor;
import org.keycloak.authentication.FlowStatus;
import org.keycloak.authentication.authenticators.browser.SpnegoAuthenticator;
import org.keycloak.events.Errors;

/**
 * Keycloak's Kerberos (SPNEGO) step, plus a replay guard and a record of refused tokens.
 *
 * <p>Keycloak turns a token that no directory accepts (unreadable, for another service or realm,
 * sealed with keys the keytab no longer has) into "attempted": the person gets the password form,
 * and nothing is recorded. Here the same fall-back also sends a {@code LOGIN_ERROR} event, so the
 * audit trail holds each refusal.
 *
 * <p>A Negotiate token is a bearer credential: captured once (a proxy's log, a shared workstation's
 * traffic), the JDK acceptor takes it again. A browser makes a new one for every request, so a token
 * already seen is refused. Seen tokens are kept, as hashes, in Keycloak's single-use store (shared by
 * the cluster's nodes) for longer than Kerberos' clock skew, after which the acceptor refuses the
 * token as too old anyway.
 */
final class RecordedSpnegoAuthenticator extends SpnegoAuthenticator {

    private static final String NEGOTIATE = "Negotiate ";
    /** Kerberos accepts an authenticator within 5 min of its time, either way: 10 min covers both. */
    private static final long SEEN_SECONDS = 600;

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        String header = context.getHttpRequest().getHttpHeaders().getRequestHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        boolean negotiate = header != null && header.regionMatches(true, 0, NEGOTIATE, 0, NEGOTIATE.length());
        if (negotiate && !oneToken(header)) {
            // Keycloak would end the whole flow on an error page, unrecorded: this is a token like any bad one.
            refuse(context, "malformed Negotiate header");
            return;
        }
        if (negotiate && !context.getSession().singleUseObjects().putIfAbsent(seenKey(header), SEEN_SECONDS)) {
            refuse(context, "replayed Negotiate token");
            return;
        }
        try {
            super.authenticate(context);
        } catch (RuntimeException unreadable) {
            // A token the directory's Kerberos code cannot even parse: a refusal like any other, not an error page.
            if (!negotiate) {
                throw unreadable;
            }
            refuse(context, "unreadable Negotiate token");
            return;
        }
        if (negotiate && context instanceof AuthenticationProcessor.Result result && result.getStatus() != FlowStatus.SUCCESS
                && result.getStatus() != FlowStatus.CHALLENGE) {
            refuse(context, "Negotiate token accepted by no directory");
        }
    }

    /** Exactly one token after the scheme, as RFC 4559 writes it. */
    private static boolean oneToken(String header) {
        String token = header.substring(NEGOTIATE.length());
        return !token.isEmpty() && token.chars().noneMatch(c -> c == ' ' || c == '\t');
    }

    /**
     * The password form, as for anyone without a ticket, and a {@code LOGIN_ERROR} record. A copy of the
     * flow's event: the login's own event stays unsent for the fall-back's outcome.
     */
    private static void refuse(AuthenticationFlowContext context, String reason) {
        context.getEvent().clone().detail("auth_method", "kerberos").detail("reason", reason)
                .error(Errors.INVALID_USER_CREDENTIALS);
        context.attempted();
    }

    private static String seenKey(String header) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(header.substring(NEGOTIATE.length()).trim().getBytes(StandardCharsets.US_ASCII));
            return "hc-spnego-seen:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
