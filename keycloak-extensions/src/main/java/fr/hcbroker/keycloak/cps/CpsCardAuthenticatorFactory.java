package fr.hcbroker.keycloak.cps;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/** Declares the {@code cps-card} authenticator and its settings for the admin console. */
public final class CpsCardAuthenticatorFactory implements AuthenticatorFactory {

    public static final String PROVIDER_ID = "cps-card";

    private static final List<ProviderConfigProperty> PROPERTIES = ProviderConfigurationBuilder.create()
            .property().name(CpsConfig.TRUST_ANCHORS).label("IGC-Santé trust anchors (PEM file)")
            .helpText("Path on the Keycloak host of a PEM file holding the IGC-Santé root certificates a card "
                    + "chain must end at (e.g. AC RACINE IGC-SANTE FORT). Required.")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(CpsConfig.INTERMEDIATES).label("IGC-Santé issuing CAs (PEM file)")
            .helpText("Path of a PEM file with the intermediate CAs (AC IGC-SANTE FORT PERSONNES, ...), used "
                    + "when a card sends only its own certificate. Never trusted by themselves.")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(CpsConfig.POLICIES).label("Accepted certificate policies")
            .helpText("Policy OIDs a card certificate must carry one of, separated by ## or commas. "
                    + "Empty accepts any policy.")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(CpsConfig.OCSP_URL).label("OCSP responder URL")
            .helpText("The OCSP responder to ask (e.g. http://ocsp.esante.gouv.fr). Empty: the card's AIA, "
                    + "read only once its chain to a trust anchor is proven.")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(CpsConfig.CRL_URLS).label("CRL URLs (fallback)")
            .helpText("CRLs to use when the OCSP responder cannot be reached, separated by ## or commas. "
                    + "Empty: the card's CRL distribution points, once its chain is proven. CRLs are cached "
                    + "until their nextUpdate.")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(CpsConfig.FAIL_OPEN).label("Accept cards when revocation cannot be checked")
            .helpText("Off (default, fail closed): a card is refused when neither OCSP nor a CRL answers. "
                    + "On: such a card is accepted; use only during an announced IGC-Santé outage.")
            .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("false").add()
            .property().name(CpsConfig.CREATE_USERS).label("Create accounts from cards")
            .helpText("On: a valid card whose idNat_PS no account holds creates one (names from the card). "
                    + "Off (default): the card is refused with a message to contact the IT desk.")
            .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("false").add()
            .property().name(CpsConfig.TIMEOUT_MS).label("Revocation fetch timeout (ms)")
            .helpText("Time limit of each OCSP or CRL request.")
            .type(ProviderConfigProperty.STRING_TYPE).defaultValue("3000").add()
            .property().name(CpsConfig.MAX_AGE_S).label("Max age without nextUpdate (s)")
            .helpText("How long an OCSP answer or CRL that gives no nextUpdate is considered current.")
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

    @Override
    public String getReferenceCategory() {
        return "cps";
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

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // Nothing to wire.
    }

    @Override
    public void close() {
        // Caches are plain memory.
    }
}
