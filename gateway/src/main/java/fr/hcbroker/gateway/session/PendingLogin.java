package fr.hcbroker.gateway.session;

import fr.hcbroker.loa.Level;
import java.io.Serializable;

/**
 * One login attempt between the redirect to Keycloak and the callback, keyed by its state. Each tab
 * gets its own, so parallel logins do not overwrite each other; the callback consumes it once.
 *
 * @param nonce         expected in the ID token
 * @param codeVerifier  PKCE verifier
 * @param returnPath    same-origin path to go back to
 * @param level         level asked for (acr_values)
 * @param replacing     the session this login steps up, if any (ended once the new one exists)
 * @param browser       the random value of the login cookie of the browser that started it: only that
 *                      browser can complete it (RFC 6749 §10.12), so no one can log a person in as
 *                      someone else by handing them a callback link
 */
public record PendingLogin(String nonce, String codeVerifier, String returnPath, Level level, String replacing,
                           String browser)
        implements Serializable {
}
