package fr.hcbroker.keycloak.loa;

import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * Event listener {@code hc-enrolment-window}: removes a person's second-factor enrolment window once
 * they own a second factor. Enable it per realm (Events → Event listeners); the realm template does.
 */
public final class EnrolmentWindowListenerFactory implements EventListenerProviderFactory {

    public static final String PROVIDER_ID = "hc-enrolment-window";

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new EnrolmentWindowListener(session);
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
