package fr.hcbroker.keycloak.directory;

import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.authenticators.browser.UsernamePasswordFormFactory;
import org.keycloak.models.KeycloakSession;

/** Keycloak's username and password form with a clear page when the directory is unreachable (docs/fr/annuaire.md §6). */
public final class DirectoryPasswordFormFactory extends UsernamePasswordFormFactory {

    public static final String ID = "hc-password-form";

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new DirectoryPasswordForm(session);
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - Username Password Form (directory outage page)";
    }

    @Override
    public String getHelpText() {
        return "Keycloak's username and password form; when the person's directory is unreachable, says so and records directory_unavailable.";
    }
}
