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

    private static final List<ProviderConfigProperty> PROPERTIES = ProviderConfigurationBuilder.create()
            .property().name(PscSettings.ENVIRONMENT).label("Environment")
            .helpText("PRODUCTION (auth.esw.esante.gouv.fr, wallet.esw.esante.gouv.fr), SANDBOX_BAS (the ANS "
                    + "test platform) or CUSTOM (a stand-in or test issuer given below). Discovery is read at "
                    + "{issuer}/.well-known/wallet-openid-configuration. No default: the provider cannot be enabled "
                    + "until one is chosen.")
            .type(ProviderConfigProperty.LIST_TYPE)
            .options(Arrays.stream(PscEnvironment.values()).map(Enum::name).toList()).add()
            .property().name(PscSettings.CUSTOM_ISSUER).label("Custom issuer")
            .helpText("Only for CUSTOM: the issuer URL, e.g. https://psc.example/auth/realms/esante-wallet "
                    + "(no trailing slash). Its discovery document must name the same issuer.")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(PscSettings.MINIMUM_LEVEL).label("Minimum level")
            .helpText("Logins below this level are refused. The level comes from authMode (mapping below); "
                    + "without authMode, from acr (a missing acr counts as eidas1, an unknown one is refused).")
            .type(ProviderConfigProperty.LIST_TYPE).options("eidas1", "eidas2", "eidas3").defaultValue("eidas2").add()
            .property().name(PscSettings.AUTH_MODE_LEVELS).label("Level of each authMode")
            .helpText("VALUE=level pairs separated by commas, with authMode exactly as PSC sends it (read from "
                    + "userinfo, then the access token, then the ID token). CARD is the CPS card; MOBILE is the "
                    + "e-CPS app's assumed value. A login with a value not listed is refused and the refusal "
                    + "names the value: add it here.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(PscLevelPolicy.formatAuthModes(PscLevelPolicy.DEFAULT_AUTH_MODES)).add()
            .property().name(PscSettings.FINESS).label("FINESS numbers of this establishment")
            .helpText("Site or legal-entity FINESS numbers, separated by commas. Only the professional's "
                    + "activities at one of them are kept (attributes structure and psc_activity).")
            .type(ProviderConfigProperty.STRING_TYPE).add()
            .property().name(PscSettings.UNKNOWN_PROFESSIONAL).label("Professional without an account")
            .helpText("refuse (default): a professional whose idNat_PS no account holds sees a page asking to "
                    + "contact the IT desk. create: an account is created from PSC's data. Accounts are never "
                    + "linked by email.")
            .type(ProviderConfigProperty.LIST_TYPE).options(PscSettings.REFUSE, PscSettings.CREATE)
            .defaultValue(PscSettings.REFUSE).add()
            .build();

    private final PscDiscovery discovery = new PscDiscovery();

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
                new PscIdentityProviderConfig(model, () -> discovery.resolve(session, settings)), settings);
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
