package fr.hcbroker.keycloak.psc;

import java.util.Arrays;
import java.util.List;
import org.keycloak.broker.oidc.OIDCIdentityProviderFactory;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Declares {@code pro-sante-connect}: the admin picks the environment and enters client id and
 * secret; the rest of PSC's contract is preset ({@link PscIdentityProviderConfig}).
 */
public final class PscIdentityProviderFactory extends OIDCIdentityProviderFactory {

    public static final String PROVIDER_ID = "pro-sante-connect";

    /**
     * Labels and help texts are message keys, translated by the admin console from the admin theme's
     * messages (theme-resources/messages of this jar, French and English). List choices are shown as
     * stored, untranslated: they are words that read the same in both languages.
     */
    private static final List<ProviderConfigProperty> PROPERTIES = ProviderConfigurationBuilder.create()
            .property().name(PscSettings.ENVIRONMENT).label("hcPscEnvironment").helpText("hcPscEnvironmentHelp")
            .type(ProviderConfigProperty.LIST_TYPE)
            .options(Arrays.stream(PscEnvironment.values()).map(PscEnvironment::label).toList()).add()
            .property().name(PscSettings.CUSTOM_ISSUER).label("hcPscCustomIssuer").helpText("hcPscCustomIssuerHelp")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(PscSettings.MINIMUM_LEVEL).label("hcPscMinimumLevel").helpText("hcPscMinimumLevelHelp")
            .type(ProviderConfigProperty.LIST_TYPE).options("eidas1", "eidas2", "eidas3").defaultValue("eidas2").add()
            .property().name(PscSettings.AUTH_MODE_LEVELS).label("hcPscAuthModeLevels").helpText("hcPscAuthModeLevelsHelp")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(PscLevelPolicy.formatAuthModes(PscLevelPolicy.DEFAULT_AUTH_MODES)).add()
            .property().name(PscSettings.FINESS).label("hcPscFiness").helpText("hcPscFinessHelp")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(PscSettings.CLIENT_AUTHENTICATION).label("hcPscClientAuthentication")
            .helpText("hcPscClientAuthenticationHelp").type(ProviderConfigProperty.LIST_TYPE)
            .options(Arrays.stream(PscClientAuthentication.values()).map(PscClientAuthentication::value).toList())
            .defaultValue(PscClientAuthentication.CLIENT_SECRET_BASIC.value()).add()
            .property().name(PscSettings.CLIENT_CERTIFICATE).label("hcPscClientCertificate")
            .helpText("hcPscClientCertificateHelp").type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(PscSettings.CLIENT_CERTIFICATE_PASSWORD).label("hcPscClientCertificatePassword")
            .helpText("hcPscClientCertificatePasswordHelp").type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(PscSettings.CREATE_ACCOUNTS).label("hcPscCreateAccounts").helpText("hcPscCreateAccountsHelp")
            .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("false").add()
            .build();

    private final PscDiscovery discovery = new PscDiscovery();
    private final PscTokenClient tokenClient = new PscTokenClient();

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getName() {
        return "Pro Santé Connect";
    }

    @Override
    public String getHelpText() {
        return "Pro Santé Connect (ANS): professionals log in with the e-CPS app or their CPS card.";
    }

    @Override
    public PscIdentityProvider create(KeycloakSession session, IdentityProviderModel model) {
        PscSettings settings = PscSettings.from(model.getConfig());
        return new PscIdentityProvider(session,
                new PscIdentityProviderConfig(model, () -> discovery.resolve(session, settings)), settings, tokenClient);
    }

    @Override
    public PscIdentityProviderConfig createConfig() {
        return new PscIdentityProviderConfig();
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return PROPERTIES;
    }
}
