package fr.hcbroker.keycloak.psc;

import jakarta.ws.rs.NotFoundException;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.OIDCWellKnownProviderFactory;
import org.keycloak.wellknown.WellKnownProvider;
import org.keycloak.wellknown.WellKnownProviderFactory;

/**
 * Serves {@code /realms/esante-wallet/.well-known/wallet-openid-configuration}, the non-standard
 * discovery path of Pro Santé Connect (DESIGN.md §3), so that the stand-in realm answers where PSC
 * does. The document is Keycloak's own OpenID configuration of that realm; other realms have no
 * such path.
 */
public final class WalletDiscoveryProviderFactory implements WellKnownProviderFactory {

    public static final String PROVIDER_ID = "wallet-openid-configuration";
    static final String STAND_IN_REALM = "esante-wallet";

    @Override
    public WellKnownProvider create(KeycloakSession session) {
        return new WellKnownProvider() {
            @Override
            public Object getConfig() {
                if (!STAND_IN_REALM.equals(session.getContext().getRealm().getName())) {
                    throw new NotFoundException();
                }
                return session.getProvider(WellKnownProvider.class, OIDCWellKnownProviderFactory.PROVIDER_ID)
                        .getConfig();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    /** Not listed in the server's own metadata: it is PSC's path, not a protocol of ours. */
    @Override
    public boolean isAvailableViaServerMetadata() {
        return false;
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
