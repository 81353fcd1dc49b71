package fr.hcbroker.keycloak.loa;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.keycloak.authentication.authenticators.util.AcrStore;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.representations.IDToken;

/**
 * The {@code amr} claim (RFC 8176, DESIGN.md §2): Keycloak's own references of the authenticators
 * that ran (their {@code default.reference.value} configs: pwd, otp, hwk...), plus what our own ways
 * in recorded through {@link LoginLevel} (sc, pin, swk...), plus {@code mfa} once the session reached
 * level 2. A delta over Keycloak's AMR mapper, which knows only the first source.
 */
public final class AmrProtocolMapper extends org.keycloak.protocol.oidc.mappers.AmrProtocolMapper {

    public static final String PROVIDER_ID = "hc-amr-mapper";

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - Authentication Method Reference (amr)";
    }

    @Override
    public String getHelpText() {
        return "amr from the authenticators that ran, from Pro Santé Connect and CPS card logins, and mfa from level 2 up.";
    }

    @Override
    protected void setClaim(IDToken token, ProtocolMapperModel mappingModel, UserSessionModel userSession,
                            KeycloakSession session, ClientSessionContext clientSessionCtx) {
        token.getOtherClaims().put("amr", List.copyOf(amr(session, userSession, clientSessionCtx.getClientSession())));
    }

    /** The amr of a login as its tokens carry it; the audit listener records the same values. */
    public Set<String> amr(KeycloakSession session, UserSessionModel userSession, AuthenticatedClientSessionModel clientSession) {
        Set<String> amr = new LinkedHashSet<>(getAmr(clientSession, session.getContext().getRealm()));
        amr.addAll(LoginLevel.amr(userSession.getNote(LoginLevel.AMR_NOTE)));
        // An emergency session passed the level-2 step on a password alone: no mfa.
        if (AcrStore.getCurrentLevelOfAuthentication(clientSession) >= fr.hcbroker.loa.Level.SUBSTANTIAL.loa()
                && fr.hcbroker.keycloak.emergency.EmergencySession.of(userSession.getNotes()).isEmpty()) {
            amr.add("mfa");
        }
        return amr;
    }
}
