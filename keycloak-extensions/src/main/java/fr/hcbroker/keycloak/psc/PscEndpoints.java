package fr.hcbroker.keycloak.psc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * PSC's endpoints, from its discovery document at the wallet path (DESIGN.md §3), except the
 * authorization endpoint of production and BAS, which lives on the wallet host.
 */
public record PscEndpoints(String issuer, String authorization, String token, String userInfo, String jwks,
                           String logout) {

    /**
     * Reads a discovery document. Its issuer must be the one configured: a document that names
     * another issuer is refused rather than trusted (mix-up defence).
     */
    static PscEndpoints from(JsonNode discovery, PscSettings settings) {
        String issuer = settings.issuer();
        String announced = PscProfile.text(discovery, "issuer");
        if (!issuer.equals(announced)) {
            throw new PscRefusedException(PscRefusal.UNAVAILABLE,
                    "discovery document names issuer " + announced + ", expected " + issuer);
        }
        String logout = PscProfile.text(discovery, "end_session_endpoint");
        return new PscEndpoints(issuer,
                settings.environment() == PscEnvironment.CUSTOM
                        ? required(discovery, "authorization_endpoint")
                        : settings.environment().authorizationEndpoint(null),
                required(discovery, "token_endpoint"),
                required(discovery, "userinfo_endpoint"),
                required(discovery, "jwks_uri"),
                logout != null ? logout : issuer + "/protocol/openid-connect/logout");
    }

    private static String required(JsonNode discovery, String field) {
        String value = PscProfile.text(discovery, field);
        if (value == null) {
            throw new PscRefusedException(PscRefusal.UNAVAILABLE, "discovery document has no " + field);
        }
        return value;
    }
}
