package fr.hcbroker.keycloak.loa;

import fr.hcbroker.loa.Amr;
import fr.hcbroker.loa.Level;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.keycloak.authentication.authenticators.util.AcrStore;
import org.keycloak.authentication.authenticators.util.AuthenticatorUtils;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.models.utils.AuthenticationFlowResolver;
import org.keycloak.protocol.oidc.utils.AmrUtils;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * The one place where an hc-broker login records what it achieved: the level goes to Keycloak's own
 * {@link AcrStore} (so the {@code acr} claim, step-up and "Condition - Level of Authentication" all
 * see it) and the amr values (RFC 8176) accumulate in a user-session note that our amr mapper emits.
 * Used by every way in: password + second factor, CPS card, Pro Santé Connect.
 */
public final class LoginLevel {

    /** User-session note holding the amr values of the session, space-separated. */
    public static final String AMR_NOTE = "hc.amr";

    private LoginLevel() {
    }

    public static void record(KeycloakSession session, AuthenticationSessionModel authSession, Level level,
                              Collection<Amr> methods) {
        // Every level up to the one reached counts as done, as when a flow passes each LoA condition in turn:
        // otherwise a later step-up would ask a PSC or card session for a password (level 1).
        AcrStore acr = new AcrStore(session, authSession);
        for (int loa = 1; loa <= level.loa(); loa++) {
            acr.setLevelAuthenticated(loa);
        }
        // Keycloak copies the level map to the user session only when a LoA condition ends the flow;
        // logins that reach their level elsewhere (broker, card) must do it so SSO step-up sees it.
        authSession.setUserSessionNote(Constants.LOA_MAP, authSession.getAuthNote(Constants.LOA_MAP));
        Set<String> amr = new LinkedHashSet<>(amr(ssoSessionNote(session, authSession)));
        amr.addAll(amr(authSession.getUserSessionNotes().get(AMR_NOTE)));
        methods.forEach(m -> amr.add(m.value()));
        authSession.setUserSessionNote(AMR_NOTE, String.join(" ", amr));
    }

    /**
     * The level this login must reach when it is forced, as our floor step makes it for every browser
     * login (whatever set it: floor, Minimum ACR value, acr_values, essential claim);
     * {@link Constants#NO_LOA} otherwise.
     * Keycloak checks a forced level only when a LoA condition ends the flow, which a login through an
     * identity provider never reaches: such a login must compare its level with this itself.
     */
    public static int forcedLevel(KeycloakSession session, AuthenticationSessionModel authSession) {
        AcrStore acr = new AcrStore(session, authSession);
        return acr.isLevelOfAuthenticationForced()
                ? acr.getRequestedLevelOfAuthentication(AuthenticationFlowResolver.resolveBrowserFlow(authSession))
                : Constants.NO_LOA;
    }

    /**
     * The amr values this login has proven so far, with those of the SSO session it continues: what
     * our ways in recorded, and the references of Keycloak's own authenticators that ran (pwd, otp,
     * hwk...), within their configured max age. What a policy checks before the tokens exist.
     */
    public static Set<String> provenMethods(KeycloakSession session, AuthenticationSessionModel authSession) {
        Set<String> amr = new LinkedHashSet<>(amr(ssoSessionNote(session, authSession)));
        amr.addAll(amr(authSession.getUserSessionNotes().get(AMR_NOTE)));
        // Keycloak merges the SSO session's completed executions into this note at each step.
        amr.addAll(AmrUtils.getAuthenticationExecutionReferences(AuthenticatorUtils.parseCompletedExecutions(
                authSession.getUserSessionNotes().get(Constants.AUTHENTICATORS_COMPLETED)), authSession.getRealm()));
        return amr;
    }

    /**
     * A step-up runs in a new authentication session whose notes then replace the SSO session's: the
     * methods proven earlier in that SSO session (its id is the root authentication session's) are kept,
     * and only when it is the same person's.
     */
    private static String ssoSessionNote(KeycloakSession session, AuthenticationSessionModel authSession) {
        UserModel user = authSession.getAuthenticatedUser();
        UserSessionModel sso = session.sessions().getUserSession(authSession.getRealm(), authSession.getParentSession().getId());
        boolean samePerson = sso != null && user != null && sso.getUser().getId().equals(user.getId());
        return samePerson ? sso.getNote(AMR_NOTE) : null;
    }

    /** Parses the note's value; an absent note is an empty set. */
    public static Set<String> amr(String note) {
        if (note == null || note.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(note.trim().split(" +")).collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
