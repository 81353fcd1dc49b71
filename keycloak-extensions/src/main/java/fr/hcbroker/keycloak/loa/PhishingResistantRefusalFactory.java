package fr.hcbroker.keycloak.loa;

import java.util.List;
import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

public final class PhishingResistantRefusalFactory implements AuthenticatorFactory {

    public static final String PROVIDER_ID = "hc-phishing-resistant-refusal";
    private static final PhishingResistantRefusal SINGLETON = new PhishingResistantRefusal();

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - Refuse: phishing-resistant factor required";
    }

    @Override
    public String getHelpText() {
        return "Alternative to the WebAuthn step after the condition 'phishing-resistant factor missing': for people"
                + " without a security key, shows a page saying the app needs a security key or the CPS card.";
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
        return new Requirement[]{Requirement.ALTERNATIVE, Requirement.REQUIRED, Requirement.DISABLED};
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
    }

    @Override
    public void close() {
    }
}
