package fr.hcbroker.keycloak.lockout;

import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * Event listener {@code hc-failure-count-reset}, global: it runs in every realm without being enabled,
 * since whether a login clears the failure count is a security rule, not an option.
 */
public final class FailureCountResetListenerFactory implements EventListenerProviderFactory {

    public static final String PROVIDER_ID = "hc-failure-count-reset";

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new FailureCountResetListener(session);
    }

    @Override
    public boolean isGlobal() {
        return true;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
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
