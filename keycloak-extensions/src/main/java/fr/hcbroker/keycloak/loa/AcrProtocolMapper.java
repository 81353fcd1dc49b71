package fr.hcbroker.keycloak.loa;

import fr.hcbroker.keycloak.emergency.EmergencySession;
import fr.hcbroker.loa.Level;
import java.util.List;
import org.keycloak.authentication.authenticators.util.AcrStore;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAttributeMapperHelper;
import org.keycloak.protocol.oidc.mappers.OIDCIDTokenMapper;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.IDToken;

/**
 * The {@code acr} claim as the level the session achieved (DESIGN.md §2). Keycloak's own acr
 * mapper echoes the highest requested value that was met, so a request for eidas1 answered at
 * eidas2 would say eidas1; apps and the gateway must see what was proven. Runs after Keycloak's
 * mapper (higher priority number) and replaces its value; no level at all gives no claim.
 */
public final class AcrProtocolMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, OIDCIDTokenMapper, UserInfoTokenMapper {

    public static final String PROVIDER_ID = "hc-acr-mapper";
    private static final List<ProviderConfigProperty> CONFIG = new java.util.ArrayList<>();

    static {
        OIDCAttributeMapperHelper.addIncludeInTokensConfig(CONFIG, AcrProtocolMapper.class);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - achieved level (acr)";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "acr = eidas1|eidas2|eidas3, the level this session actually reached.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    public int getPriority() {
        return 100;
    }

    @Override
    protected void setClaim(IDToken token, ProtocolMapperModel mappingModel, UserSessionModel userSession,
                            KeycloakSession session, ClientSessionContext clientSessionCtx) {
        // An emergency session passed the level-2 step without a second factor: its honest level is eidas1.
        int loa = EmergencySession.of(userSession.getNotes()).isPresent() ? Level.LOW.loa()
                : AcrStore.getCurrentLevelOfAuthentication(clientSessionCtx.getClientSession());
        Level.fromLoa(loa).ifPresentOrElse(level -> token.setAcr(level.acr()), () -> token.setAcr(null));
    }
}
