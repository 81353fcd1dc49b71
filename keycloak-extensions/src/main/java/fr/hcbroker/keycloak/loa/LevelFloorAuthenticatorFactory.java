package fr.hcbroker.keycloak.loa;

import java.util.List;
import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

public final class LevelFloorAuthenticatorFactory implements AuthenticatorFactory {

    public static final String PROVIDER_ID = "hc-level-floor";
    private static final LevelFloorAuthenticator SINGLETON = new LevelFloorAuthenticator();

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - Minimum level of assurance";
    }

    @Override
    public String getHelpText() {
        return "Put first in the browser flow. Every client without its own 'Minimum ACR value' must reach the realm's"
                + " floor (realm attribute " + LevelFloorAuthenticator.REALM_FLOOR_ATTRIBUTE
                + ", default eidas2); to lower an app's level, set that client's Minimum ACR value explicitly.";
    }

    @Override
    public String getReferenceCategory() {
        return "loa";
    }

    @Override
    public boolean isConfigurable() {
        return false;
    }

    @Override
    public Requirement[] getRequirementChoices() {
        return new Requirement[]{Requirement.REQUIRED, Requirement.DISABLED};
    }

    @Override
    public boolean isUserSetupAllowed() {
        return false;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return SINGLETON;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // Without it the account console's tokens of an imported realm carry no level, subject or audience.
        fr.hcbroker.keycloak.realm.BuiltInClientScopes.register(factory);
    }

    @Override
    public void close() {
    }
}
