package fr.hcbroker.standin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.keycloak.Config;
import org.keycloak.OAuthErrorException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyEvent;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.AuthorizationRequestContext;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

/**
 * PSC's two hosts in the stand-in (DESIGN.md §3). PSC's authorization endpoint is on a "wallet" host,
 * its token, userinfo and keys on the issuer's host. The stand-in's wallet host (a small server of the
 * test stack, on another loopback address) serves only the authorization endpoint, and passes the
 * browser on to this realm with {@value #PARAMETER}; this executor, a client policy of the stand-in
 * realm, refuses an authorization request without it, so that a provider building the authorization
 * URL from the issuer instead of the discovery document fails. Without a configured key (option
 * {@code wallet-key} beside the discovery provider's) it lets everything through.
 */
public final class WalletHostExecutorFactory implements ClientPolicyExecutorProviderFactory {

    public static final String PROVIDER_ID = "hc-psc-stand-in-wallet-host";
    /** The parameter the wallet host adds to the authorization requests it passes on. */
    public static final String PARAMETER = "hc_wallet";
    /** {@code KC_SPI_WELL_KNOWN__WALLET_OPENID_CONFIGURATION__WALLET_KEY}. */
    static final String KEY_OPTION = "wallet-key";

    private byte[] key;

    @Override
    public ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> create(KeycloakSession session) {
        return new ClientPolicyExecutorProvider<>() {
            @Override
            public String getProviderId() {
                return PROVIDER_ID;
            }

            @Override
            public void executeOnEvent(ClientPolicyContext context) throws ClientPolicyException {
                if (key == null || context.getEvent() != ClientPolicyEvent.AUTHORIZATION_REQUEST) {
                    return;
                }
                String sent = ((AuthorizationRequestContext) context).getRequestParameters().getFirst(PARAMETER);
                if (sent == null || !MessageDigest.isEqual(key, sent.getBytes(StandardCharsets.UTF_8))) {
                    throw new ClientPolicyException(OAuthErrorException.INVALID_REQUEST,
                            "authorization requests go to the wallet host named in the discovery document");
                }
            }
        };
    }

    @Override
    public void init(Config.Scope config) {
        String value = Config.scope("well-known", WalletDiscoveryProviderFactory.PROVIDER_ID).get(KEY_OPTION);
        key = value == null || value.isBlank() ? null : value.trim().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getHelpText() {
        return "Pro Santé Connect stand-in only: authorization requests must come through the stand-in's wallet host.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }
}
