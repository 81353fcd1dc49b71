package fr.hcbroker.keycloak.directory;

import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.representations.RefreshToken;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyEvent;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.TokenRefreshContext;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;

/**
 * A token refresh for a person whose directory does not answer. Keycloak cannot check the account, so
 * it shows it as disabled and would refuse the refresh, and the gateway would close a session nobody
 * ended. Answered instead like Keycloak being out of reach (503 {@value #ERROR}): the gateway keeps the
 * open session and asks again every 30 s, and the first refresh once the directory answers again
 * applies what it says (an account disabled in the meantime is refused then). Only the directory's
 * absence is answered so: a disabled, deleted or unknown account, or a bad token, gets Keycloak's own refusal.
 */
final class DirectoryOutageRefresh implements ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> {

    static final String ERROR = "temporarily_unavailable";

    private final KeycloakSession session;

    DirectoryOutageRefresh(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public String getProviderId() {
        return DirectoryOutageRefreshFactory.ID;
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) throws ClientPolicyException {
        if (context.getEvent() != ClientPolicyEvent.TOKEN_REFRESH || !(context instanceof TokenRefreshContext refresh)) {
            return;
        }
        String token = refresh.getParams().getFirst(OAuth2Constants.REFRESH_TOKEN);
        // Signature checked here; expiry, client and session state are Keycloak's own checks, which follow.
        RefreshToken decoded = token == null ? null : session.tokens().decode(token, RefreshToken.class);
        if (decoded == null || decoded.getSessionId() == null) {
            return;
        }
        RealmModel realm = session.getContext().getRealm();
        UserSessionModel userSession = session.sessions().getUserSession(realm, decoded.getSessionId());
        if (userSession != null && DirectoryPasswordForm.unavailable(userSession.getUser())) {
            throw new ClientPolicyException(ERROR, DirectoryPasswordForm.DIRECTORY_UNAVAILABLE, Response.Status.SERVICE_UNAVAILABLE);
        }
    }
}
