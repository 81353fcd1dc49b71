package fr.hcbroker.keycloak.loa;

import java.util.List;
import org.keycloak.Config;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticator;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

public final class SecondFactorConditionFactory implements ConditionalAuthenticatorFactory {

    public static final String PROVIDER_ID = "hc-condition-second-factor";
    private static final SecondFactorCondition SINGLETON = new SecondFactorCondition();

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - Condition - second factor enrolled";
    }

    @Override
    public String getHelpText() {
        return "Matches when the user owns a TOTP or WebAuthn credential (enrolled=true) or owns neither (enrolled=false).";
    }

    @Override
    public boolean isConfigurable() {
        return true;
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
        return ProviderConfigurationBuilder.create()
                .property().name(SecondFactorCondition.ENROLLED).type(ProviderConfigProperty.BOOLEAN_TYPE)
                .label("Enrolled").defaultValue("true")
                .helpText("On: match users who own a second factor. Off: match users who own none.").add()
                .build();
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
