package fr.hcbroker.keycloak.cps;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/** Declares the {@code cps-card} authenticator and its settings for the admin console. */
public final class CpsCardAuthenticatorFactory implements AuthenticatorFactory {

    public static final String PROVIDER_ID = "cps-card";
    private static final Logger LOG = Logger.getLogger(CpsCardAuthenticatorFactory.class);

    /**
     * Labels and help texts are message keys, translated by the admin console from the admin theme's
     * messages (theme-resources/messages of this jar, French and English).
     */
    private static final List<ProviderConfigProperty> PROPERTIES = ProviderConfigurationBuilder.create()
            .property().name(CpsConfig.TRUST_ANCHORS).label("hcCpsTrustAnchors").helpText("hcCpsTrustAnchorsHelp")
            .type(ProviderConfigProperty.STRING_TYPE).required(true).add()
            .property().name(CpsConfig.INTERMEDIATES).label("hcCpsIntermediates").helpText("hcCpsIntermediatesHelp")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(CpsConfig.POLICIES).label("hcCpsPolicies").helpText("hcCpsPoliciesHelp")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(CpsConfig.OCSP_URL).label("hcCpsOcspUrl").helpText("hcCpsOcspUrlHelp")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(CpsConfig.CRL_URLS).label("hcCpsCrlUrls").helpText("hcCpsCrlUrlsHelp")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(CpsConfig.FAIL_OPEN).label("hcCpsFailOpen").helpText("hcCpsFailOpenHelp")
            .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("false").add()
            .property().name(CpsConfig.CREATE_USERS).label("hcCpsCreateUsers").helpText("hcCpsCreateUsersHelp")
            .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("false").add()
            .property().name(CpsConfig.TIMEOUT_MS).label("hcCpsTimeoutMs").helpText("hcCpsTimeoutMsHelp")
            .type(ProviderConfigProperty.STRING_TYPE).defaultValue("3000").add()
            .property().name(CpsConfig.MAX_AGE_S).label("hcCpsMaxAgeSeconds").helpText("hcCpsMaxAgeSecondsHelp")
            .type(ProviderConfigProperty.STRING_TYPE).defaultValue("86400").add()
            .build();

    private final Map<String, Map.Entry<Map<String, String>, CpsSettings>> parsed = new ConcurrentHashMap<>();
    private final RevocationChecker revocation = new RevocationChecker(Clock.systemUTC());

    @Override
    public Authenticator create(KeycloakSession session) {
        return new CpsCardAuthenticator(this::settings, revocation);
    }

    /** Parses an admin configuration once; a changed configuration is parsed again. */
    private CpsSettings settings(AuthenticatorConfigModel model) {
        if (model == null) {
            throw new IllegalArgumentException("the cps-card execution has no configuration");
        }
        Map<String, String> raw = Map.copyOf(model.getConfig());
        var entry = parsed.compute(model.getId(), (id, old) -> old != null && old.getKey().equals(raw)
                ? old : Map.entry(raw, CpsSettings.of(CpsConfig.from(raw))));
        return entry.getValue();
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "CPS card (IGC-Santé certificate)";
    }

    @Override
    public String getHelpText() {
        return "Logs a health professional in with their CPS card certificate (TLS client authentication), "
                + "at level eidas3: IGC-Santé chain, usage, policy and revocation checked, user found by idnat_ps.";
    }

    /**
     * None: a card is no credential stored in Keycloak, and a category would make the account console
     * list it as one. Refusals never reach brute-force protection anyway: the authenticator answers
     * them with a challenge, never a failure.
     */
    @Override
    public String getReferenceCategory() {
        return null;
    }

    @Override
    public boolean isConfigurable() {
        return true;
    }

    @Override
    public Requirement[] getRequirementChoices() {
        return new Requirement[] {Requirement.ALTERNATIVE, Requirement.REQUIRED, Requirement.DISABLED};
    }

    @Override
    public boolean isUserSetupAllowed() {
        return false;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return PROPERTIES;
    }

    @Override
    public void init(Config.Scope config) {
        // Settings live in the realm's authenticator configuration.
    }

    /**
     * Renames settings stored under their earlier names (see {@link CpsConfig#LEGACY_NAMES}) when
     * Keycloak starts and when a realm is created or imported, so the admin console shows and saves
     * the real values; until then the authenticator reads the earlier names itself.
     */
    @Override
    public void postInit(KeycloakSessionFactory factory) {
        factory.register(event -> {
            if (event instanceof PostMigrationEvent) {
                KeycloakModelUtils.runJobInTransaction(factory,
                        session -> session.realms().getRealmsStream().forEach(CpsCardAuthenticatorFactory::migrate));
            } else if (event instanceof RealmModel.RealmPostCreateEvent created) {
                migrate(created.getCreatedRealm());
            }
        });
    }

    static void migrate(RealmModel realm) {
        realm.getAuthenticationFlowsStream()
                .flatMap(flow -> realm.getAuthenticationExecutionsStream(flow.getId()))
                .filter(execution -> PROVIDER_ID.equals(execution.getAuthenticator())
                        && execution.getAuthenticatorConfig() != null)
                .map(execution -> realm.getAuthenticatorConfigById(execution.getAuthenticatorConfig()))
                .filter(config -> config != null && config.getConfig() != null
                        && CpsConfig.holdsLegacyNames(config.getConfig()))
                .distinct()
                .toList()
                .forEach(config -> {
                    config.setConfig(CpsConfig.migrated(config.getConfig()));
                    realm.updateAuthenticatorConfig(config);
                    LOG.infof("realm %s: cps-card settings '%s' renamed to their current names",
                            realm.getName(), config.getAlias());
                });
    }

    @Override
    public void close() {
        // Caches are plain memory.
    }
}
