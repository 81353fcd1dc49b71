package fr.hcbroker.keycloak.loa;

import fr.hcbroker.loa.Amr;
import fr.hcbroker.loa.Level;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;
import org.keycloak.common.util.Time;
import org.keycloak.events.Errors;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionProviderModel;
import org.keycloak.models.UserModel;

/**
 * Someone without a second factor chooses one to enrol right after a correct password: an
 * authenticator app (TOTP) or a security key / passkey (WebAuthn). The page has no way to skip; the
 * choice adds Keycloak's own setup required action to this login, which must complete (a valid code,
 * a verified registration) before any code or token is issued.
 *
 * <p>Only while an admin has opened this person's enrolment window ({@link #WINDOW_ATTRIBUTE}): binding
 * a new authenticator on the strength of a password alone would let a stolen password reach eidas2
 * (eIDAS "substantial" asks more than the password to bind one). Outside it the person gets a page
 * sending them to the IT support, and no session.
 *
 * <p>Why an authenticator of our own: Keycloak only offers a choice among factors the user already
 * owns; an unconfigured REQUIRED form (e.g. the OTP form) sets up that one factor with no choice.
 */
final class SecondFactorEnrolment implements Authenticator {

    static final String TEMPLATE = "hc-enrol-second-factor.ftl";
    static final String METHOD_PARAM = "method";
    /**
     * User attribute, admin-only: the ISO-8601 instant (e.g. {@code 2026-09-30T18:00:00Z}) until which
     * this person may enrol a first second factor after the password. Removed once they own one
     * ({@link EnrolmentWindowListener}).
     */
    static final String WINDOW_ATTRIBUTE = "hc_enrolment_until";

    /** A factor a person may enrol, with the Keycloak required action that sets it up. */
    enum Method {
        TOTP("totp", UserModel.RequiredAction.CONFIGURE_TOTP.name(), Amr.OTP),
        WEBAUTHN("webauthn", "webauthn-register", Amr.HWK);

        final String param;
        final String requiredAction;
        final Amr amr;

        Method(String param, String requiredAction, Amr amr) {
            this.param = param;
            this.requiredAction = requiredAction;
            this.amr = amr;
        }

        static Optional<Method> of(String param) {
            return Arrays.stream(values()).filter(m -> m.param.equals(param)).findFirst();
        }
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        if (!windowOpen(context)) {
            refuse(context);
            return;
        }
        context.challenge(choicePage(context, null));
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        // Again here: the factor is granted on this answer, and the window may have closed since the page.
        if (!windowOpen(context)) {
            refuse(context);
            return;
        }
        MultivaluedMap<String, String> form = context.getHttpRequest().getDecodedFormParameters();
        Optional<Method> chosen = Method.of(form.getFirst(METHOD_PARAM)).filter(m -> offered(context.getRealm()).contains(m));
        if (chosen.isEmpty()) {
            context.challenge(choicePage(context, "hcEnrolChooseOne"));
            return;
        }
        Method method = chosen.get();
        context.getAuthenticationSession().addRequiredAction(method.requiredAction);
        // Safe to count now: the required action runs before any code is issued, and abandoning it ends the login.
        LoginLevel.record(context.getSession(), context.getAuthenticationSession(), Level.SUBSTANTIAL, List.of(method.amr));
        context.success();
    }

    private static boolean windowOpen(AuthenticationFlowContext context) {
        return windowOpen(context.getUser().getFirstAttribute(WINDOW_ATTRIBUTE), Instant.ofEpochMilli(Time.currentTimeMillis()));
    }

    /** Open strictly before {@code until}; an absent or unreadable value is a closed window. */
    static boolean windowOpen(String until, Instant now) {
        if (until == null) {
            return false;
        }
        try {
            return now.isBefore(Instant.parse(until.trim()));
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static void refuse(AuthenticationFlowContext context) {
        // Recorded as a refused login, but not as a failed one: the password was right, and counting it
        // would lock the person out (brute-force protection) until after the admin opens their window.
        context.getEvent().detail("reason", "no second-factor enrolment window open (" + WINDOW_ATTRIBUTE + ")")
                .error(Errors.ACCESS_DENIED);
        context.challenge(context.form().setError("hcEnrolNotActivated").createErrorPage(Response.Status.FORBIDDEN));
    }

    private static Response choicePage(AuthenticationFlowContext context, String error) {
        var form = context.form().setAttribute("hcEnrolMethods",
                offered(context.getRealm()).stream().map(m -> m.param).toList());
        if (error != null) {
            form.setError(error);
        }
        return form.createForm(TEMPLATE);
    }

    /** TOTP always; WebAuthn only while the realm has its registration required action enabled. */
    static List<Method> offered(RealmModel realm) {
        RequiredActionProviderModel webauthn = realm.getRequiredActionProviderByAlias(Method.WEBAUTHN.requiredAction);
        return webauthn != null && webauthn.isEnabled() ? List.of(Method.TOTP, Method.WEBAUTHN) : List.of(Method.TOTP);
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    public void close() {
    }
}
