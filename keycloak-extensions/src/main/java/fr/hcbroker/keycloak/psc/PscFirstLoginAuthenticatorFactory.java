package fr.hcbroker.keycloak.psc;

import java.util.List;
import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

/** Declares {@code psc-first-login}, the step of the first-broker-login flow for Pro Santé Connect. */
public final class PscFirstLoginAuthenticatorFactory implements AuthenticatorFactory {

    public static final String PROVIDER_ID = "psc-first-login";
    private static final PscFirstLoginAuthenticator INSTANCE = new PscFirstLoginAuthenticator();

    @Override
    public Authenticator create(KeycloakSession session) {
        return INSTANCE;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "Pro Santé Connect - link by idNat_PS";
    }

    @Override
    public String getHelpText() {
        return "First login through Pro Santé Connect: links the account whose idnat_ps attribute is the "
                + "professional's SubjectNameID; otherwise creates it or refuses, as set on the identity provider. "
                + "Never links by email.";
    }

    @Override
    public String getReferenceCategory() {
        return "psc";
    }

    @Override
    public boolean isConfigurable() {
        return false;
    }

    @Override
    public Requirement[] getRequirementChoices() {
        return new Requirement[] {Requirement.REQUIRED, Requirement.DISABLED};
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
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
