package fr.hcbroker.keycloak.psc;

import org.keycloak.protocol.oidc.OIDCLoginProtocol;

/**
 * How this establishment proves itself to PSC's token endpoint. The stored value is the OAuth name,
 * the same in every language.
 */
public enum PscClientAuthentication {
    /** The client secret in the Authorization header (Keycloak's broker does it). */
    CLIENT_SECRET_BASIC(OIDCLoginProtocol.CLIENT_SECRET_BASIC),
    /** A JWT signed with the realm's key, whose public half PSC reads at the realm's JWKS URL (Keycloak's broker does it). */
    PRIVATE_KEY_JWT(OIDCLoginProtocol.PRIVATE_KEY_JWT),
    /** The establishment's certificate in the TLS handshake (RFC 8705), with client_id in the form. */
    TLS_CLIENT_AUTH(OIDCLoginProtocol.TLS_CLIENT_AUTH);

    private final String value;

    PscClientAuthentication(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    static PscClientAuthentication parse(String stored) {
        for (PscClientAuthentication method : values()) {
            if (method.value.equals(stored.trim())) {
                return method;
            }
        }
        throw new IllegalArgumentException(PscSettings.CLIENT_AUTHENTICATION + " must be client_secret_basic, "
                + "private_key_jwt or tls_client_auth: " + PscLevelPolicy.printable(stored));
    }
}
