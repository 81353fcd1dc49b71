package fr.hcbroker.keycloak.emergency;

import java.util.ArrayList;
import java.util.List;
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
 * The emergency claims the gateway reads: {@code hc_emergency: true}, {@code hc_emergency_reason}
 * (the reason code) and {@code hc_emergency_until} (epoch seconds), only on an emergency session;
 * and no token of such a session outlives its limit ({@code exp} capped at it).
 */
public final class EmergencyClaimsMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, OIDCIDTokenMapper, UserInfoTokenMapper {

    public static final String PROVIDER_ID = "hc-emergency-mapper";
    private static final List<ProviderConfigProperty> CONFIG = new ArrayList<>();

    static {
        OIDCAttributeMapperHelper.addIncludeInTokensConfig(CONFIG, EmergencyClaimsMapper.class);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - emergency access (bris de glace)";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "hc_emergency, hc_emergency_reason, hc_emergency_until on emergency sessions; exp capped at the limit.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    protected void setClaim(IDToken token, ProtocolMapperModel mappingModel, UserSessionModel userSession,
                            KeycloakSession session, ClientSessionContext clientSessionCtx) {
        EmergencySession.of(userSession.getNotes()).ifPresent(emergency -> {
            token.getOtherClaims().put(EmergencySession.CLAIM, true);
            token.getOtherClaims().put(EmergencySession.REASON_CLAIM, emergency.reason());
            token.getOtherClaims().put(EmergencySession.UNTIL_CLAIM, emergency.untilEpochSecond());
            if (token.getExp() == null || token.getExp() > emergency.untilEpochSecond()) {
                token.exp(emergency.untilEpochSecond());
            }
        });
    }
}
