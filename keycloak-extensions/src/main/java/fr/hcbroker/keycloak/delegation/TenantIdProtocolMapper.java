package fr.hcbroker.keycloak.delegation;

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
 * The Entra-style {@code tid} claim Pro Santé Connect expects from an establishment's own identity
 * provider (HospiConnect delegation, DESIGN.md §3): the establishment id, read from the realm
 * attribute {@code hc.establishment.tid} so it is set once per realm and stays the same for every
 * client and token. Keycloak's hard-coded claim mapper would copy the value into each client, where
 * it drifts; no built-in mapper reads a realm attribute. A realm without the attribute gives no claim
 * rather than an invented one.
 */
public final class TenantIdProtocolMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, OIDCIDTokenMapper, UserInfoTokenMapper {

    public static final String PROVIDER_ID = "hc-tid-mapper";
    /** Realm attribute holding the establishment id. */
    public static final String REALM_ATTRIBUTE = "hc.establishment.tid";
    private static final List<ProviderConfigProperty> CONFIG = new ArrayList<>();

    static {
        OIDCAttributeMapperHelper.addIncludeInTokensConfig(CONFIG, TenantIdProtocolMapper.class);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - establishment id (tid)";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "tid = the realm attribute " + REALM_ATTRIBUTE + " (the establishment id PSC expects in delegation).";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    protected void setClaim(IDToken token, ProtocolMapperModel mappingModel, UserSessionModel userSession,
                            KeycloakSession session, ClientSessionContext clientSessionCtx) {
        String tid = userSession.getRealm().getAttribute(REALM_ATTRIBUTE);
        if (tid != null && !tid.isBlank()) {
            token.getOtherClaims().put("tid", tid.strip());
        }
    }
}
