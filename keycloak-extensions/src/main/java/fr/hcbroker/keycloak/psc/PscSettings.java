package fr.hcbroker.keycloak.psc;

import fr.hcbroker.loa.Level;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an IT admin chose for one Pro Santé Connect instance, read once from the identity
 * provider's configuration map. A value that does not parse fails closed (the login is refused).
 *
 * <p>Property names carry no dot: the admin console's forms encode dots (as 🍺) and would read and
 * write other keys than the stored ones. Realms and exports written with the former {@code psc.*}
 * names are read through {@link #migrate}.
 *
 * @param environment  production, BAS or a custom issuer
 * @param customIssuer issuer URL for {@link PscEnvironment#CUSTOM}, else null
 * @param policy       acr/authMode to level, with the admin's minimum
 * @param finess       FINESS numbers (site or legal entity) of this establishment
 * @param createUnknown whether a professional no account matches gets one, or is refused
 * @param clientAuthentication how the establishment proves itself to PSC's token endpoint
 * @param clientCertificate for {@link PscClientAuthentication#TLS_CLIENT_AUTH}: the PKCS#12 or PEM file, else null
 * @param clientCertificatePassword empty, or a vault reference ({@code ${vault.key}}) to the file's password
 */
public record PscSettings(PscEnvironment environment, String customIssuer, PscLevelPolicy policy, Set<String> finess,
                          boolean createUnknown, PscClientAuthentication clientAuthentication,
                          java.nio.file.Path clientCertificate, String clientCertificatePassword) {

    public static final String ENVIRONMENT = "pscEnvironment";
    public static final String CUSTOM_ISSUER = "pscCustomIssuer";
    public static final String MINIMUM_LEVEL = "pscMinimumLevel";
    public static final String AUTH_MODE_LEVELS = "pscAuthModeLevels";
    public static final String FINESS = "pscFiness";
    /** Boolean: whether a professional no account holds gets one (on) or is refused (off, the default). */
    public static final String CREATE_ACCOUNTS = "pscCreateAccounts";
    /** Former list (create / refuse) that {@link #CREATE_ACCOUNTS} replaced: the console showed its values raw. */
    static final String UNKNOWN_PROFESSIONAL = "pscUnknownProfessional";
    public static final String CLIENT_AUTHENTICATION = "pscClientAuthentication";
    public static final String CLIENT_CERTIFICATE = "pscClientCertificate";
    public static final String CLIENT_CERTIFICATE_PASSWORD = "pscClientCertificatePassword";
    /** A whole vault reference, e.g. ${vault.psc-client-key}: the password itself is never stored in the realm. */
    private static final java.util.regex.Pattern VAULT_REFERENCE = java.util.regex.Pattern.compile("\\$\\{vault\\.[^{}\\s]+}");
    static final String CREATE = "create";
    static final String REFUSE = "refuse";

    /** Former names (up to 0.x), still read from realms and exports that hold them. */
    static final Map<String, String> LEGACY_NAMES = Map.of(
            "psc.environment", ENVIRONMENT,
            "psc.custom.issuer", CUSTOM_ISSUER,
            "psc.minimum.level", MINIMUM_LEVEL,
            "psc.finess", FINESS,
            "psc.unknown.professional", UNKNOWN_PROFESSIONAL);
    static final String LEGACY_CARD_LEVEL = "psc.level.card";
    static final String LEGACY_MOBILE_LEVEL = "psc.level.mobile";

    /** Nine characters: the département (digits, or 2A/2B for Corsica) then digits, the last a check digit. */
    private static final java.util.regex.Pattern FINESS_NUMBER = java.util.regex.Pattern.compile("(\\d{2}|2[AB])\\d{7}");

    public PscSettings {
        finess = Set.copyOf(finess);
    }

    public static PscSettings from(Map<String, String> stored) {
        Map<String, String> config = migrate(stored);
        PscEnvironment environment = PscEnvironment.parse(config.getOrDefault(ENVIRONMENT, PscEnvironment.PRODUCTION.label()));
        String customIssuer = environment == PscEnvironment.CUSTOM ? environment.issuer(config.get(CUSTOM_ISSUER)) : null;
        String modes = config.get(AUTH_MODE_LEVELS);
        PscLevelPolicy policy = new PscLevelPolicy(level(config, MINIMUM_LEVEL, PscLevelPolicy.DEFAULT.minimum()),
                modes == null || modes.isBlank() ? PscLevelPolicy.DEFAULT_AUTH_MODES : PscLevelPolicy.parseAuthModes(modes));
        Set<String> finess = Arrays.stream(config.getOrDefault(FINESS, "").split("[,\\s#]+"))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        for (String number : finess) {
            // Also catches a template placeholder left unset, e.g. ${HC_PSC_FINESS}: the realm is not imported.
            if (!FINESS_NUMBER.matcher(number).matches()) {
                throw new IllegalArgumentException(FINESS + ": not a FINESS number (9 characters, e.g. 2A0000001): "
                        + PscLevelPolicy.printable(number));
            }
        }
        String create = config.getOrDefault(CREATE_ACCOUNTS, "false").trim();
        if (!create.equals("true") && !create.equals("false")) {
            throw new IllegalArgumentException(CREATE_ACCOUNTS + " must be true or false: " + PscLevelPolicy.printable(create));
        }
        PscClientAuthentication authentication = PscClientAuthentication.parse(
                config.getOrDefault(CLIENT_AUTHENTICATION, PscClientAuthentication.CLIENT_SECRET_BASIC.value()));
        String certificate = config.getOrDefault(CLIENT_CERTIFICATE, "").trim();
        String password = config.getOrDefault(CLIENT_CERTIFICATE_PASSWORD, "").trim();
        if (!password.isEmpty() && !VAULT_REFERENCE.matcher(password).matches()) {
            throw new IllegalArgumentException(CLIENT_CERTIFICATE_PASSWORD + " must be a vault reference such as "
                    + "${vault.psc-client-key}, not the password itself");
        }
        java.nio.file.Path certificatePath = null;
        if (authentication == PscClientAuthentication.TLS_CLIENT_AUTH) {
            if (certificate.isEmpty()) {
                throw new IllegalArgumentException(CLIENT_CERTIFICATE + ": tls_client_auth needs the establishment's "
                        + "certificate file (PKCS#12 or PEM)");
            }
            certificatePath = java.nio.file.Path.of(certificate);
            if (!certificatePath.isAbsolute()) {
                throw new IllegalArgumentException(CLIENT_CERTIFICATE + " must be an absolute path: " + PscLevelPolicy.printable(certificate));
            }
        }
        return new PscSettings(environment, customIssuer, policy, finess, create.equals("true"), authentication,
                certificatePath, password);
    }

    /**
     * The configuration under the current names: a former {@code psc.*} name is renamed unless the
     * current one is also set (the current one wins), and the former per-means levels
     * ({@code psc.level.card}, {@code psc.level.mobile}) become the authMode mapping; the former
     * environment names (SANDBOX_BAS...) become their labels and the former create/refuse list becomes
     * {@link #CREATE_ACCOUNTS}. Other keys (Keycloak's own) are kept as they are. A value that does
     * not parse is left for {@link #from} to refuse.
     *
     * @return a new map; {@code stored} is not changed
     */
    public static Map<String, String> migrate(Map<String, String> stored) {
        Map<String, String> config = new LinkedHashMap<>(stored);
        LEGACY_NAMES.forEach((old, current) -> {
            String value = config.remove(old);
            if (value != null) {
                config.putIfAbsent(current, value);
            }
        });
        String card = config.remove(LEGACY_CARD_LEVEL);
        String mobile = config.remove(LEGACY_MOBILE_LEVEL);
        if ((card != null || mobile != null) && !config.containsKey(AUTH_MODE_LEVELS)) {
            Map<String, Level> modes = new LinkedHashMap<>(PscLevelPolicy.DEFAULT_AUTH_MODES);
            if (card != null) {
                modes.put(PscLevelPolicy.CARD, parseLevel(LEGACY_CARD_LEVEL, card));
            }
            if (mobile != null) {
                modes.put(PscLevelPolicy.MOBILE, parseLevel(LEGACY_MOBILE_LEVEL, mobile));
            }
            config.put(AUTH_MODE_LEVELS, PscLevelPolicy.formatAuthModes(modes));
        }
        String environment = config.get(ENVIRONMENT);
        if (environment != null && formerEnvironmentName(environment) != null) {
            config.put(ENVIRONMENT, formerEnvironmentName(environment).label());
        }
        String unknown = config.remove(UNKNOWN_PROFESSIONAL);
        if (unknown != null && !config.containsKey(CREATE_ACCOUNTS)) {
            String trimmed = unknown.trim();
            // Anything else is kept under the new name, where from() refuses it: never a silent "refuse" or "create".
            config.put(CREATE_ACCOUNTS, trimmed.equals(CREATE) ? "true" : trimmed.equals(REFUSE) ? "false" : trimmed);
        }
        return config;
    }

    /** The environment a former enum name (e.g. SANDBOX_BAS) designates, or null for a label or an unknown value. */
    private static PscEnvironment formerEnvironmentName(String value) {
        for (PscEnvironment environment : PscEnvironment.values()) {
            if (environment.name().equals(value.trim()) && !environment.label().equals(value.trim())) {
                return environment;
            }
        }
        return null;
    }

    /** Whether {@code stored} holds any former name that {@link #migrate} would rewrite. */
    public static boolean needsMigration(Map<String, String> stored) {
        String environment = stored.get(ENVIRONMENT);
        return stored.keySet().stream().anyMatch(k -> LEGACY_NAMES.containsKey(k) || UNKNOWN_PROFESSIONAL.equals(k)
                || LEGACY_CARD_LEVEL.equals(k) || LEGACY_MOBILE_LEVEL.equals(k))
                || environment != null && formerEnvironmentName(environment) != null;
    }

    private static Level level(Map<String, String> config, String key, Level otherwise) {
        return parseLevel(key, config.getOrDefault(key, otherwise.acr()));
    }

    private static Level parseLevel(String key, String raw) {
        String value = raw.trim();
        return Level.fromAcr(value).orElseThrow(() -> new IllegalArgumentException(key + ": unknown level " + value));
    }

    /**
     * Whether identities made with ANS's test tool ({@code SubjectNameID} such as
     * {@code ANS20231122132732}) may log in: on the BAS sandbox and test issuers, never in production.
     */
    public boolean acceptsAnsTestIdentities() {
        return environment != PscEnvironment.PRODUCTION;
    }

    public String issuer() {
        return environment.issuer(customIssuer);
    }

    public String discoveryUrl() {
        return environment.discoveryUrl(customIssuer);
    }
}
