package fr.hcbroker.keycloak.psc;

import java.net.URI;

/**
 * Where Pro Santé Connect runs (DESIGN.md §3). PSC's discovery document sits at a non-standard
 * path and its authorization endpoint lives on a separate "wallet" host, so both are preset here
 * rather than left to the admin.
 */
public enum PscEnvironment {
    PRODUCTION("Production", "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet", "https://wallet.esw.esante.gouv.fr/auth"),
    SANDBOX_BAS("BAS", "https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet", "https://wallet.bas.psc.esante.gouv.fr/auth"),
    /** A stand-in or test issuer: its own discovery document names its authorization endpoint. */
    CUSTOM("Test", null, null);

    static final String DISCOVERY_PATH = "/.well-known/wallet-openid-configuration";

    private final String label;
    private final String issuer;
    private final String walletAuthorizationEndpoint;

    PscEnvironment(String label, String issuer, String walletAuthorizationEndpoint) {
        this.label = label;
        this.issuer = issuer;
        this.walletAuthorizationEndpoint = walletAuthorizationEndpoint;
    }

    /**
     * The stored value and the choice the admin console shows: its lists show values as they are,
     * untranslated, so the value is a word that reads the same in French and English.
     */
    public String label() {
        return label;
    }

    /** An environment by its label, or by its former name (PRODUCTION, SANDBOX_BAS, CUSTOM), any case. */
    public static PscEnvironment parse(String value) {
        String trimmed = value.trim();
        for (PscEnvironment environment : values()) {
            if (environment.label.equalsIgnoreCase(trimmed) || environment.name().equalsIgnoreCase(trimmed)) {
                return environment;
            }
        }
        throw new IllegalArgumentException("unknown Pro Santé Connect environment " + PscLevelPolicy.printable(trimmed)
                + " (Production, BAS or Test)");
    }

    /** The issuer to use: the preset one, or for {@link #CUSTOM} the admin's, which must be an absolute https/http URL. */
    public String issuer(String customIssuer) {
        if (this != CUSTOM) {
            return issuer;
        }
        if (customIssuer == null || customIssuer.isBlank()) {
            throw new IllegalArgumentException("A custom Pro Santé Connect environment needs an issuer URL");
        }
        URI uri = URI.create(customIssuer.trim());
        if (!uri.isAbsolute() || uri.getHost() == null
                || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("The custom issuer must be an absolute http(s) URL: " + customIssuer);
        }
        return stripTrailingSlash(customIssuer.trim());
    }

    public String discoveryUrl(String customIssuer) {
        return issuer(customIssuer) + DISCOVERY_PATH;
    }

    /** The wallet host's authorization endpoint; for {@link #CUSTOM}, the issuer's standard one. */
    public String authorizationEndpoint(String customIssuer) {
        return this == CUSTOM ? issuer(customIssuer) + "/protocol/openid-connect/auth" : walletAuthorizationEndpoint;
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
