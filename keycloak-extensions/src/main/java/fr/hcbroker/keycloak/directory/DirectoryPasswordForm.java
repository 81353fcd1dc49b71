package fr.hcbroker.keycloak.directory;

import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.browser.UsernamePasswordForm;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.StorageUnavailableUserModelDelegate;
import org.keycloak.models.utils.UserModelDelegate;
import org.keycloak.storage.StorageUnavailableException;

/**
 * Keycloak's username and password form, except when the person's directory does not answer: Keycloak
 * then shows a directory account as disabled ("contact your administrator"), or fails the password
 * check with an internal error. Here the person reads that the directory is unavailable, and the
 * event (so the audit trail) says {@value #DIRECTORY_UNAVAILABLE}; nothing counts against the account.
 * A person whose existing account is joined to their directory entry at this login goes on with it.
 */
final class DirectoryPasswordForm extends UsernamePasswordForm {

    static final String DIRECTORY_UNAVAILABLE = "directory_unavailable";
    static final String MESSAGE = "hcDirectoryUnavailable";

    DirectoryPasswordForm(KeycloakSession session) {
        super(session);
    }

    @Override
    protected boolean validateForm(AuthenticationFlowContext context, MultivaluedMap<String, String> formData) {
        try {
            try {
                return super.validateForm(context, formData);
            } catch (DirectoryAccountLinked joined) {
                // The person's existing account has just become the directory entry's: the lookup now reuses it.
                return super.validateForm(context, formData);
            }
        } catch (StorageUnavailableException | ModelException e) {
            if (!(e instanceof StorageUnavailableException) && !unreachable(e)) {
                throw e;
            }
            refuse(context, null);
            return false;
        }
    }

    @Override
    public boolean enabledUser(AuthenticationFlowContext context, UserModel user) {
        if (unavailable(user)) {
            refuse(context, user);
            return false;
        }
        return super.enabledUser(context, user);
    }

    private void refuse(AuthenticationFlowContext context, UserModel user) {
        if (user != null) {
            context.getEvent().user(user);
        }
        context.getEvent().error(DIRECTORY_UNAVAILABLE);
        // A challenge, not a failure: the outage is not the person's, brute-force protection must not count it.
        context.forceChallenge(challenge(context, MESSAGE, null));
    }

    /** Keycloak's mark on an account whose directory could not be asked (see UserStorageManager). */
    static boolean unavailable(UserModel user) {
        UserModel current = user;
        while (current instanceof UserModelDelegate delegate) {
            if (current instanceof StorageUnavailableUserModelDelegate) {
                return true;
            }
            current = delegate.getDelegate();
        }
        return false;
    }

    /** A failure whose cause is the directory not answering (refused connection, timeout), not a refusal. */
    static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StorageUnavailableException || t instanceof javax.naming.CommunicationException
                    || t instanceof javax.naming.ServiceUnavailableException || t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }
}
