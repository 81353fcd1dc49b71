package fr.hcbroker.keycloak.directory;

import fr.hcbroker.idnat.IdNat;
import fr.hcbroker.idnat.InvalidIdNatException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.LDAPConstants;
import org.keycloak.utils.KeycloakSessionUtil;
import org.keycloak.models.utils.UserModelDelegate;
import org.keycloak.storage.ReadOnlyException;
import org.keycloak.storage.ldap.LDAPStorageProvider;
import org.keycloak.storage.ldap.idm.model.LDAPObject;
import org.keycloak.storage.ldap.idm.query.internal.LDAPQuery;
import org.keycloak.storage.ldap.mappers.AbstractLDAPStorageMapper;

/**
 * Reads the person's idNat_PS from a directory attribute, checks it with {@link IdNat#parse} and
 * keeps it (and the RPPS it carries) in the user attributes the card and PSC use. A malformed value
 * is refused: the import fails, so nothing is stored, and an already imported person whose directory
 * entry now holds a malformed value is treated as disabled. An account that already holds the idNat_PS
 * (local, card, PSC) becomes the entry's account ({@link IdNatAccountLink}); one that cannot be joined is
 * a refusal: the realm links accounts by idNat_PS only, so it must stay unique.
 */
final class IdNatLdapMapper extends AbstractLDAPStorageMapper {

    static final String IDNAT = "idnat_ps";
    static final String RPPS = "rpps";
    private static final Logger LOG = Logger.getLogger(IdNatLdapMapper.class);

    private final String ldapAttribute;

    IdNatLdapMapper(ComponentModel model, LDAPStorageProvider provider) {
        super(model, provider);
        this.ldapAttribute = model.get(IdNatLdapMapperFactory.LDAP_ATTRIBUTE, IdNatLdapMapperFactory.DEFAULT_ATTRIBUTE);
    }

    @Override
    public void onImportUserFromLDAP(LDAPObject ldapUser, UserModel user, RealmModel realm, boolean isCreate) {
        // Keycloak says "create" also when it reuses the account it imported before: only a fresh one has no LDAP_ID yet.
        boolean fresh = isCreate && user.getFirstAttribute(LDAPConstants.LDAP_ID) == null;
        Read read = read(ldapUser, ldapAttribute);
        if (read.error() != null) {
            LOG.warnf("directory entry %s refused: %s", ldapUser.getDn(), read.error());
            forget(realm, user, fresh);
            throw new ModelException("directory entry " + ldapUser.getDn() + " refused: " + read.error());
        }
        if (read.idNat() == null) {
            user.removeAttribute(IDNAT);
            user.removeAttribute(RPPS);
            return;
        }
        String value = read.idNat().value();
        if (fresh) {
            IdNatAccountLink.Result link = IdNatAccountLink.link(session(), realm, mapperModel.getParentId(), ldapUser, value, user);
            switch (link.outcome()) {
                case LINKED -> {
                    forget(realm, user, true);
                    throw new DirectoryAccountLinked("directory entry " + ldapUser.getDn() + " joined to the existing account "
                            + link.account() + " by idNat_PS");
                }
                case REFUSED -> refuse(realm, user, true, ldapUser, link.reason());
                case NONE -> { }
            }
        } else {
            // An account imported before: the realm's own store (what Keycloak calls local storage), no directory query from inside it.
            boolean taken = session().getProvider(UserProvider.class).searchForUserByUserAttributeStream(realm, IDNAT, value)
                    .anyMatch(other -> !other.getId().equals(user.getId()));
            if (taken) {
                refuse(realm, user, false, ldapUser, "its idNat_PS is already another account's");
            }
        }
        user.setSingleAttribute(IDNAT, value);
        read.idNat().rpps().ifPresentOrElse(r -> user.setSingleAttribute(RPPS, r), () -> user.removeAttribute(RPPS));
    }

    private void refuse(RealmModel realm, UserModel user, boolean fresh, LDAPObject ldapUser, String reason) {
        LOG.warnf("directory entry %s refused: %s", ldapUser.getDn(), reason);
        forget(realm, user, fresh);
        throw new ModelException("directory entry " + ldapUser.getDn() + " refused: " + reason + " (docs/fr/annuaire.md)");
    }

    /**
     * The request's session. Neither the mapper's own accessor nor the provider's compiles against the
     * LDAP SPI published on Maven Central (26.0.x; see the pom), so it comes from Keycloak's own holder.
     */
    private static KeycloakSession session() {
        return KeycloakSessionUtil.getKeycloakSession();
    }

    /**
     * Removes the account Keycloak has just added for a refused entry: a refused login does not roll
     * the request's transaction back, so without this it would stay, half-imported and unlinked.
     */
    private void forget(RealmModel realm, UserModel user, boolean fresh) {
        if (fresh) {
            session().getProvider(UserProvider.class).removeUser(realm, user);
        }
    }

    @Override
    public UserModel proxy(LDAPObject ldapUser, UserModel delegate, RealmModel realm) {
        boolean malformed = read(ldapUser, ldapAttribute).error() != null;
        return new UserModelDelegate(delegate) {
            @Override
            public boolean isEnabled() {
                return !malformed && super.isEnabled();
            }

            @Override
            public void setSingleAttribute(String name, String value) {
                setAttribute(name, List.of(value));
            }

            @Override
            public void setAttribute(String name, List<String> values) {
                if (isMapped(name) && !Objects.equals(getAttributeStream(name).collect(Collectors.toList()), values)) {
                    throw new ReadOnlyException(name + " comes from the directory");
                }
                super.setAttribute(name, values);
            }

            @Override
            public void removeAttribute(String name) {
                if (isMapped(name) && getAttributeStream(name).findAny().isPresent()) {
                    throw new ReadOnlyException(name + " comes from the directory");
                }
                super.removeAttribute(name);
            }
        };
    }

    private static boolean isMapped(String name) {
        return IDNAT.equals(name) || RPPS.equals(name);
    }

    @Override
    public void onRegisterUserToLDAP(LDAPObject ldapUser, UserModel localUser, RealmModel realm) {
        // The directory is read-only for the realm: nobody is registered into it.
    }

    @Override
    public void beforeLDAPQuery(LDAPQuery query) {
        query.addReturningLdapAttribute(ldapAttribute);
    }

    @Override
    public Set<String> getUserAttributes() {
        return Set.of(IDNAT, RPPS);
    }

    /** The entry's idNat_PS, none, or why it is refused. */
    static Read read(LDAPObject ldapUser, String ldapAttribute) {
        Set<String> values = ldapUser.getAttributeAsSet(ldapAttribute);
        if (values == null || values.isEmpty()) {
            return new Read(null, null);
        }
        if (values.size() > 1) {
            return new Read(null, ldapAttribute + " holds " + values.size() + " values, an idNat_PS is one");
        }
        try {
            return new Read(IdNat.parse(values.iterator().next()), null);
        } catch (InvalidIdNatException e) {
            return new Read(null, ldapAttribute + ": " + e.getMessage());
        }
    }

    record Read(IdNat idNat, String error) {
    }
}
