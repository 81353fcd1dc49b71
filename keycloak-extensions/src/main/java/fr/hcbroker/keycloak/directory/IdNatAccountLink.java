package fr.hcbroker.keycloak.directory;

import java.util.List;
import org.jboss.logging.Logger;
import org.keycloak.credential.CredentialModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.LDAPConstants;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserProvider;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.storage.ldap.idm.model.LDAPObject;

/**
 * Joins the account that already holds a directory entry's idNat_PS (made by hand, by the CPS card's
 * or by Pro Santé Connect's first login) to that entry, so that it becomes the entry's account: it gets
 * the entry's {@code LDAP_ID} and the provider's federation link, which is how Keycloak's own import
 * recognises an account it imported before ("the username changed in LDAP") and reuses it, id,
 * second factors, PSC link and all. Only the idNat_PS joins: an email, a name or a username never does.
 *
 * <p>Runs in a transaction of its own, committed whatever the import that asked does next: Keycloak
 * rolls a refused import's transaction back (a periodic sync), and the importing session must not hold
 * a stale copy of the account it reuses afterwards.
 */
final class IdNatAccountLink {

    private static final Logger LOG = Logger.getLogger(IdNatAccountLink.class);

    enum Outcome {
        /** No other account holds the idNat_PS: the import goes on with the account Keycloak made. */
        NONE,
        /** The account that held it is now the entry's: the import must start again to reuse it. */
        LINKED,
        /** The holder cannot be joined (several holders, another directory's, a service account). */
        REFUSED
    }

    record Result(Outcome outcome, String account, String reason) {
    }

    private IdNatAccountLink() {
    }

    /**
     * @param importing the account Keycloak is importing the entry into (left out of the search)
     */
    static Result link(KeycloakSession session, RealmModel realm, String providerId, LDAPObject entry, String idNat,
                       UserModel importing) {
        String realmId = realm.getId();
        String importingId = importing.getId();
        return KeycloakModelUtils.runJobInTransactionWithResult(session.getKeycloakSessionFactory(), s -> {
            RealmModel r = s.realms().getRealm(realmId);
            s.getContext().setRealm(r);
            // The realm's own store: what the card and PSC find by idnat_ps.
            UserProvider local = s.getProvider(UserProvider.class);
            List<UserModel> holders = local.searchForUserByUserAttributeStream(r, IdNatLdapMapper.IDNAT, idNat)
                    .filter(u -> !u.getId().equals(importingId))
                    .toList();
            if (holders.isEmpty()) {
                return new Result(Outcome.NONE, null, null);
            }
            if (holders.size() > 1) {
                return new Result(Outcome.REFUSED, null, holders.size() + " accounts hold this idNat_PS");
            }
            // Through the realm's user cache, so that its copy of the account is dropped when this commits.
            UserModel holder = s.users().getUserById(r, holders.get(0).getId());
            if (holder.getFederationLink() != null) {
                return new Result(Outcome.REFUSED, holder.getUsername(),
                        "its idNat_PS is already the account of another directory entry or provider");
            }
            if (holder.getServiceAccountClientLink() != null) {
                return new Result(Outcome.REFUSED, holder.getUsername(), "its idNat_PS is held by a service account");
            }
            holder.setFederationLink(providerId);
            holder.setSingleAttribute(LDAPConstants.LDAP_ID, entry.getUuid());
            holder.setSingleAttribute(LDAPConstants.LDAP_ENTRY_DN, entry.getDn().toString());
            // The directory checks the password from now on; a local one left behind would still open the account.
            holder.credentialManager().getStoredCredentialsByTypeStream(CredentialModel.PASSWORD).toList()
                    .forEach(password -> holder.credentialManager().removeStoredCredentialById(password.getId()));
            LOG.infof("directory entry %s joined to the existing account %s (%s) by idNat_PS", entry.getDn(),
                    holder.getUsername(), holder.getId());
            return new Result(Outcome.LINKED, holder.getUsername(), null);
        });
    }
}
