package fr.hcbroker.keycloak.directory;

import org.keycloak.models.ModelException;

/**
 * Ends an import whose idNat_PS belonged to an existing account, now joined to the directory entry
 * ({@link IdNatAccountLink}): the account Keycloak had started to make is dropped, and the next lookup
 * of the entry (the same login asks again) reuses the existing account.
 */
final class DirectoryAccountLinked extends ModelException {

    DirectoryAccountLinked(String message) {
        super(message);
    }
}
