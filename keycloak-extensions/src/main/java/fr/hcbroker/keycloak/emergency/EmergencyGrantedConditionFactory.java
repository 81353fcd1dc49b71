package fr.hcbroker.keycloak.emergency;

import java.util.List;
import org.keycloak.Config;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticator;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/** Declares {@code hc-condition-emergency}: whether this login was granted emergency access. */
public final class EmergencyGrantedConditionFactory implements ConditionalAuthenticatorFactory {

    public static final String PROVIDER_ID = "hc-condition-emergency";
    private static final EmergencyGrantedCondition SINGLETON = new EmergencyGrantedCondition();

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - Condition - emergency access granted";
    }

    @Override
    public String getHelpText() {
        return "Matches when this login was granted emergency access (granted=true) or was not (granted=false).";
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
                .property().name(EmergencyGrantedCondition.GRANTED).type(ProviderConfigProperty.BOOLEAN_TYPE)
                .label("Granted").defaultValue("true")
                .helpText("On: match emergency logins. Off: match every other login.").add()
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
