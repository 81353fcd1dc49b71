package fr.hcbroker.keycloak.psc;

import java.util.Map;
import java.util.function.Supplier;
import org.keycloak.broker.oidc.OIDCIdentityProviderConfig;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.RealmModel;

/**
 * Keycloak's OIDC broker configuration with PSC's contract preset (DESIGN.md §3): the admin picks
 * the environment and enters client id and secret; endpoints come from PSC's discovery document,
 * fetched only when a login needs them (the admin console and the login page never wait for PSC);
 * scope, PKCE S256, nonce, signature checks and RP-initiated logout are fixed, not options.
 */
public final class PscIdentityProviderConfig extends OIDCIdentityProviderConfig {

    static final String SCOPE = "openid scope_all";

    private final Supplier<PscEndpoints> endpoints;

    /** For the admin console and import: validation only, no endpoint is read. */
    public PscIdentityProviderConfig() {
        this.endpoints = () -> {
            throw new PscRefusedException(PscRefusal.UNAVAILABLE, "endpoints are resolved only for a login");
        };
    }

    PscIdentityProviderConfig(IdentityProviderModel model, Supplier<PscEndpoints> endpoints) {
        super(model);
        PscEndpoints[] once = new PscEndpoints[1];
        this.endpoints = () -> {
            if (once[0] == null) {
                once[0] = endpoints.get();
            }
            return once[0];
        };
    }

    public PscSettings settings() {
        return PscSettings.from(getConfig());
    }

    /**
     * Checked when an admin saves the provider or a realm is imported: a bad value is refused there,
     * with the reason the admin console shows. Settings stored under the former {@code psc.*} names are
     * rewritten to the current ones here, so that the console shows and saves what is stored.
     */
    @Override
    public void validate(RealmModel realm) {
        if (PscSettings.needsMigration(getConfig())) {
            Map<String, String> migrated = PscSettings.migrate(getConfig());
            getConfig().clear();
            getConfig().putAll(migrated);
        }
        String environment = getConfig().get(PscSettings.ENVIRONMENT);
        if (isEnabled() && (environment == null || environment.isBlank())) {
            throw new IllegalArgumentException("Pro Santé Connect: choose the environment (BAS to try the "
                    + "registration on the ANS sandbox, Production once the ANS has opened it) before enabling the provider");
        }
        try {
            settings();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Pro Santé Connect: " + e.getMessage(), e);
        }
        if (getClientId() == null || getClientId().isBlank()) {
            throw new IllegalArgumentException("Pro Santé Connect: the client id is required");
        }
    }

    @Override
    public String getAuthorizationUrl() {
        return endpoints.get().authorization();
    }

    @Override
    public String getTokenUrl() {
        return endpoints.get().token();
    }

    @Override
    public String getUserInfoUrl() {
        return endpoints.get().userInfo();
    }

    @Override
    public String getJwksUrl() {
        return endpoints.get().jwks();
    }

    @Override
    public String getLogoutUrl() {
        return endpoints.get().logout();
    }

    @Override
    public String getIssuer() {
        return endpoints.get().issuer();
    }

    @Override
    public boolean isUseJwksUrl() {
        return true;
    }

    @Override
    public boolean isValidateSignature() {
        return true;
    }

    @Override
    public String getDefaultScope() {
        return SCOPE;
    }

    @Override
    public boolean isPkceEnabled() {
        return true;
    }

    @Override
    public String getPkceMethod() {
        return "S256";
    }

    @Override
    public boolean isDisableNonce() {
        return false;
    }

    @Override
    public boolean isDisableUserInfoService() {
        return false;
    }

    /** Keycloak's broker signs private_key_jwt with the realm's key; tls_client_auth is PscIdentityProvider's. */
    @Override
    public String getClientAuthMethod() {
        return settings().clientAuthentication().value();
    }

    @Override
    public boolean isAccessTokenJwt() {
        return false;
    }

    /** Logout at PSC goes through the browser (RP-initiated) on an explicit logout, never server to server. */
    @Override
    public boolean isBackchannelSupported() {
        return false;
    }

    @Override
    public boolean isSendIdTokenOnLogout() {
        return true;
    }
}
