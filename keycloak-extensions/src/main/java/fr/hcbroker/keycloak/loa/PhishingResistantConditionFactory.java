package fr.hcbroker.keycloak.loa;

import java.util.List;
import org.keycloak.Config;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticator;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

public final class PhishingResistantConditionFactory implements ConditionalAuthenticatorFactory {

    public static final String PROVIDER_ID = "hc-condition-phishing-resistant";
    private static final PhishingResistantCondition SINGLETON = new PhishingResistantCondition();

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - Condition - phishing-resistant factor missing";
    }

    @Override
    public String getHelpText() {
        return "Matches when the client's attribute " + PhishingResistantFloor.CLIENT_ATTRIBUTE
                + " is true and the login has proven none of the realm attribute " + PhishingResistantFloor.REALM_ATTRIBUTE
                + " (amr values, default 'hwk sc').";
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
    public ConditionalAuthenticator getSingleton() {
        return SINGLETON;
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
}
