package fr.hcbroker.standin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.NotFoundException;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.OIDCWellKnownProviderFactory;
import org.keycloak.util.JsonSerialization;
import org.keycloak.wellknown.WellKnownProvider;
import org.keycloak.wellknown.WellKnownProviderFactory;

/**
 * Serves {@code /realms/esante-wallet/.well-known/wallet-openid-configuration}, the non-standard
 * discovery path of Pro Santé Connect (DESIGN.md §3), so that the stand-in realm answers where PSC
 * does. The document is Keycloak's own OpenID configuration of that realm, with the authorization
 * endpoint replaced by the stand-in's wallet host when one is configured ({@link WalletHostExecutorFactory});
 * other realms have no such path.
 */
public final class WalletDiscoveryProviderFactory implements WellKnownProviderFactory {

    public static final String PROVIDER_ID = "wallet-openid-configuration";
    static final String STAND_IN_REALM = "esante-wallet";

    /** {@code KC_SPI_WELL_KNOWN__WALLET_OPENID_CONFIGURATION__AUTHORIZATION_ENDPOINT}: the wallet host's URL. */
    static final String AUTHORIZATION_ENDPOINT = "authorization-endpoint";

    private String authorizationEndpoint;

    @Override
    public WellKnownProvider create(KeycloakSession session) {
        return new WellKnownProvider() {
            @Override
            public Object getConfig() {
                if (!STAND_IN_REALM.equals(session.getContext().getRealm().getName())) {
                    throw new NotFoundException();
                }
                Object config = session.getProvider(WellKnownProvider.class, OIDCWellKnownProviderFactory.PROVIDER_ID)
                        .getConfig();
                if (authorizationEndpoint == null) {
                    return config;
                }
                // A copy: Keycloak may keep the representation it built.
                ObjectNode document = JsonSerialization.mapper.valueToTree(config);
                document.put("authorization_endpoint", authorizationEndpoint);
                return document;
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
        String value = config.get(AUTHORIZATION_ENDPOINT);
        authorizationEndpoint = value == null || value.isBlank() ? null : value.trim();
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
