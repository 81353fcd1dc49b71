package fr.hcbroker.keycloak.emergency;

import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** Event listener {@code hc-emergency-disable}: enable it per realm (Events → Event listeners). */
public final class DisabledAccountListenerFactory implements EventListenerProviderFactory {

    public static final String PROVIDER_ID = "hc-emergency-disable";

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new DisabledAccountListener(session);
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
        return PROVIDER_ID;
    }
}
