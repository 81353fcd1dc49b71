package fr.hcbroker.keycloak.emergency;

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

/** Declares the {@code hc-emergency-access} step and its settings for the admin console. */
public final class EmergencyAccessAuthenticatorFactory implements AuthenticatorFactory {

    public static final String PROVIDER_ID = "hc-emergency-access";

    private static final List<ProviderConfigProperty> PROPERTIES = ProviderConfigurationBuilder.create()
            .property().name(EmergencySettings.ENABLED).label("Emergency access enabled")
            .helpText("Off by default. On: after a correct password, someone without a second factor may open an "
                    + "emergency session on apps whose client has the attribute hc.emergency.allowed = true.")
            .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("false").add()
            .property().name(EmergencySettings.REASONS).label("Reasons")
            .helpText("code=Label items separated by ##, e.g. urgence-vitale=Urgence vitale##continuite-des-soins="
                    + "Continuité des soins. Codes go to the audit trail; labels to the page and the alert mail.")
            .type(ProviderConfigProperty.STRING_TYPE).defaultValue(EmergencySettings.DEFAULT_REASONS).add()
            .property().name(EmergencySettings.LIFETIME_SECONDS).label("Session lifetime (seconds)")
            .helpText("An emergency session ends at this limit, whatever the realm's session settings "
                    + "(default 14400 = 4 h; no refresh or SSO reuse beyond it).")
            .type(ProviderConfigProperty.STRING_TYPE).defaultValue("14400").add()
            .property().name(EmergencySettings.CAP_COUNT).label("Accesses per person per period")
            .helpText("Beyond this number within the period, the person is refused and told whom to call (default 3).")
            .type(ProviderConfigProperty.STRING_TYPE).defaultValue("3").add()
            .property().name(EmergencySettings.CAP_DAYS).label("Period (days)")
            .helpText("The sliding period of the cap (default 30).")
            .type(ProviderConfigProperty.STRING_TYPE).defaultValue("30").add()
            .property().name(EmergencySettings.ALERT_ADDRESSES).label("Alert addresses")
            .helpText("Who receives the alert mail (security officer, DPO), separated by commas; sent through the "
                    + "realm's SMTP settings (Realm settings > Email).")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(EmergencySettings.CONTACT).label("Whom to call")
            .helpText("Shown to a person refused emergency access, e.g. 'l'administrateur de garde, poste 4242'.")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(EmergencySettings.NOTE_MAX_LENGTH).label("Words: maximum length")
            .helpText("Maximum length of the few words a person may add to their reason (default 200 characters).")
            .type(ProviderConfigProperty.STRING_TYPE).defaultValue("200").add()
            .build();

    private final Map<String, Map.Entry<Map<String, String>, EmergencySettings>> parsed = new ConcurrentHashMap<>();

    @Override
    public Authenticator create(KeycloakSession session) {
        return new EmergencyAccessAuthenticator(this::settings);
    }

    /** Parses an admin configuration once; a changed one is parsed again; none means off. */
    private EmergencySettings settings(AuthenticatorConfigModel model) {
        if (model == null) {
            return EmergencySettings.from(Map.of());
        }
        Map<String, String> raw = Map.copyOf(model.getConfig());
        return parsed.compute(model.getId(), (id, old) -> old != null && old.getKey().equals(raw)
                ? old : Map.entry(raw, EmergencySettings.from(raw))).getValue();
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - Emergency access (bris de glace)";
    }

    @Override
    public String getHelpText() {
        return "After the password, lets someone without a second factor open a bounded, audited emergency "
                + "session (eidas1) with a reason, on apps that allow it. Off unless enabled here.";
    }

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
        return new Requirement[] {Requirement.REQUIRED, Requirement.DISABLED};
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
        // Plain memory.
    }
}
