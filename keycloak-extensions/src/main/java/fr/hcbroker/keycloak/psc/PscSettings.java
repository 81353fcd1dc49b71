package fr.hcbroker.keycloak.psc;

import fr.hcbroker.loa.Level;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an IT admin chose for one Pro Santé Connect instance, read once from the identity
 * provider's configuration map. A value that does not parse fails closed (the login is refused).
 *
 * @param environment  production, BAS or a custom issuer
 * @param customIssuer issuer URL for {@link PscEnvironment#CUSTOM}, else null
 * @param policy       acr/authMode to level, with the admin's minimum
 * @param finess       FINESS numbers (site or legal entity) of this establishment
 * @param createUnknown whether a professional no account matches gets one, or is refused
 */
public record PscSettings(PscEnvironment environment, String customIssuer, PscLevelPolicy policy, Set<String> finess,
                          boolean createUnknown) {

    public static final String ENVIRONMENT = "psc.environment";
    public static final String CUSTOM_ISSUER = "psc.custom.issuer";
    public static final String MINIMUM_LEVEL = "psc.minimum.level";
    public static final String CARD_LEVEL = "psc.level.card";
    public static final String MOBILE_LEVEL = "psc.level.mobile";
    public static final String FINESS = "psc.finess";
    public static final String UNKNOWN_PROFESSIONAL = "psc.unknown.professional";
    public static final String CREATE = "create";
    public static final String REFUSE = "refuse";

    public PscSettings {
        finess = Set.copyOf(finess);
    }

    public static PscSettings from(Map<String, String> config) {
        PscEnvironment environment = PscEnvironment.valueOf(
                config.getOrDefault(ENVIRONMENT, PscEnvironment.PRODUCTION.name()).trim().toUpperCase(Locale.ROOT));
        String customIssuer = environment == PscEnvironment.CUSTOM ? environment.issuer(config.get(CUSTOM_ISSUER)) : null;
        PscLevelPolicy policy = new PscLevelPolicy(level(config, MINIMUM_LEVEL, PscLevelPolicy.DEFAULT.minimum()),
                level(config, CARD_LEVEL, PscLevelPolicy.DEFAULT.cardLevel()),
                level(config, MOBILE_LEVEL, PscLevelPolicy.DEFAULT.mobileLevel()));
        Set<String> finess = Arrays.stream(config.getOrDefault(FINESS, "").split("[,\\s#]+"))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        String unknown = config.getOrDefault(UNKNOWN_PROFESSIONAL, REFUSE).trim();
        if (!unknown.equals(CREATE) && !unknown.equals(REFUSE)) {
            throw new IllegalArgumentException("psc.unknown.professional must be create or refuse: " + unknown);
        }
        return new PscSettings(environment, customIssuer, policy, finess, unknown.equals(CREATE));
    }

    private static Level level(Map<String, String> config, String key, Level otherwise) {
        String value = config.getOrDefault(key, otherwise.acr()).trim();
        return Level.fromAcr(value).orElseThrow(() -> new IllegalArgumentException(key + ": unknown level " + value));
    }

    public String issuer() {
        return environment.issuer(customIssuer);
    }

    public String discoveryUrl() {
        return environment.discoveryUrl(customIssuer);
    }
}
