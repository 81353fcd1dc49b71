package fr.hcbroker.keycloak.directory;

import java.util.List;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

/** The realm's client policy "hc-directory-outage" (realms/hospiconnect-realm.json; docs/fr/annuaire.md §6). */
public final class DirectoryOutageRefreshFactory implements ClientPolicyExecutorProviderFactory {

    public static final String ID = "hc-directory-outage";

    @Override
    public ClientPolicyExecutorProvider create(KeycloakSession session) {
        return new DirectoryOutageRefresh(session);
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "A token refresh of a person whose directory does not answer gets 503 temporarily_unavailable instead of "
                + "'user disabled': the gateway keeps the open session and retries.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }
}
