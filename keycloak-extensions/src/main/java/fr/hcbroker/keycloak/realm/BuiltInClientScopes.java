package fr.hcbroker.keycloak.realm;

import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

/**
 * Gives the realm's default client scopes to clients that have none, once a realm is created or
 * imported: what Keycloak does for every new client.
 *
 * <p>Why: a realm file that declares its own client scopes (ours does, for the level and identity
 * claims) is imported with Keycloak's built-in clients (account console, the realm's admin console)
 * created before those scopes exist, so they get none. Their tokens then carry no {@code sub} and no
 * audience, and the account console fails with 401 on every call to the account API after any login.
 */
public final class BuiltInClientScopes {

    private static final Logger LOG = Logger.getLogger(BuiltInClientScopes.class);

    private BuiltInClientScopes() {
    }

    /** Registers the repair for every realm created or imported from now on. */
    public static void register(KeycloakSessionFactory factory) {
        factory.register(event -> {
            if (event instanceof RealmModel.RealmPostCreateEvent created) {
                assign(created.getCreatedRealm());
            }
        });
    }

    static void assign(RealmModel realm) {
        realm.getClientsStream()
                .filter(client -> client.getClientScopes(true).isEmpty() && client.getClientScopes(false).isEmpty())
                .toList()
                .forEach(client -> {
                    client.addClientScopes(realmDefaults(realm, client, true), true);
                    client.addClientScopes(realmDefaults(realm, client, false), false);
                    LOG.infof("realm %s: client %s given the realm's default client scopes", realm.getName(),
                            client.getClientId());
                });
    }

    private static Set<ClientScopeModel> realmDefaults(RealmModel realm, ClientModel client, boolean defaultScope) {
        String protocol = client.getProtocol() == null ? OIDCLoginProtocol.LOGIN_PROTOCOL : client.getProtocol();
        return realm.getDefaultClientScopesStream(defaultScope)
                .filter(scope -> protocol.equals(scope.getProtocol() == null ? OIDCLoginProtocol.LOGIN_PROTOCOL : scope.getProtocol()))
                .collect(Collectors.toSet());
    }
}
