package fr.hcbroker.keycloak.loa;

import java.util.List;
import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

public final class SecondFactorEnrolmentFactory implements AuthenticatorFactory {

    public static final String PROVIDER_ID = "hc-second-factor-enrolment";
    private static final SecondFactorEnrolment SINGLETON = new SecondFactorEnrolment();

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - Enrol a second factor (choice)";
    }

    @Override
    public String getHelpText() {
        return "For users who own no second factor: asks them to choose TOTP or WebAuthn (when the webauthn-register"
                + " required action is enabled) and runs that factor's setup before any token is issued. No skip.";
    }

    /** None: the factor is only known once the person chooses; its amr is recorded then. */
    @Override
    public String getReferenceCategory() {
        return null;
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
    }

    @Override
    public void close() {
    }
}
