package fr.hcbroker.keycloak.delegation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
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
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.representations.IDToken;

/**
 * The {@code amr} and {@code acr} that Pro Santé Connect receives when it delegates to this realm
 * (HospiConnect "FI local", DESIGN.md §3), translated from the realm's own values by the mapper's
 * settings. The values the ANS expects from an FI local could not be read from a public source: the
 * translation is configuration, by default the realm's own RFC 8176 amr and eidas1–3 acr.
 *
 * <p>A delta over the realm's amr and acr mappers: it runs after them (higher priority number) on the
 * delegation client only and rewrites what they put in the token. A setting that does not parse sends
 * neither claim rather than a guess.
 */
public final class DelegationClaimsMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, OIDCIDTokenMapper, UserInfoTokenMapper {

    public static final String PROVIDER_ID = "hc-delegation-claims-mapper";
    static final String AMR_MAP = "hc.delegation.amr";
    static final String ACR_MAP = "hc.delegation.acr";
    private static final Logger LOG = Logger.getLogger(DelegationClaimsMapper.class);
    private static final List<ProviderConfigProperty> CONFIG = new ArrayList<>(ProviderConfigurationBuilder.create()
            .property().name(AMR_MAP).type(ProviderConfigProperty.STRING_TYPE).label("amr sent to PSC")
            .defaultValue(ClaimTranslation.DEFAULT_AMR)
            .helpText("ours=theirs pairs, separated by spaces. An amr value without a pair, or with an empty one"
                    + " (swk=), is not sent. Empty: " + ClaimTranslation.DEFAULT_AMR).add()
            .property().name(ACR_MAP).type(ProviderConfigProperty.STRING_TYPE).label("acr sent to PSC")
            .defaultValue(ClaimTranslation.DEFAULT_ACR)
            .helpText("ours=theirs pairs, separated by spaces. A level without a pair sends no acr. Empty: "
                    + ClaimTranslation.DEFAULT_ACR).add()
            .build());

    static {
        OIDCAttributeMapperHelper.addIncludeInTokensConfig(CONFIG, DelegationClaimsMapper.class);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - amr and acr for Pro Santé Connect delegation";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "Rewrites amr and acr into the values agreed with Pro Santé Connect (FI local). Put on the delegation client.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    /** After hc-amr-mapper and hc-acr-mapper (priority 100): it translates what they wrote. */
    @Override
    public int getPriority() {
        return 200;
    }

    @Override
    protected void setClaim(IDToken token, ProtocolMapperModel mappingModel, UserSessionModel userSession,
                            KeycloakSession session, ClientSessionContext clientSessionCtx) {
        Map<String, String> config = mappingModel.getConfig();
        ClaimTranslation amr;
        ClaimTranslation acr;
        try {
            amr = ClaimTranslation.parseOrDefault(config.get(AMR_MAP), ClaimTranslation.DEFAULT_AMR);
            acr = ClaimTranslation.parseOrDefault(config.get(ACR_MAP), ClaimTranslation.DEFAULT_ACR);
        } catch (IllegalArgumentException e) {
            LOG.warnf("Mapper '%s': unusable setting (%s); no amr or acr sent to PSC", mappingModel.getName(), e.getMessage());
            token.getOtherClaims().remove("amr");
            token.setAcr(null);
            return;
        }
        if (token.getOtherClaims().get("amr") instanceof Collection<?> ours) {
            token.getOtherClaims().put("amr", amr.translateAll(ours.stream().map(String::valueOf).toList()));
        }
        token.setAcr(token.getAcr() == null ? null : acr.translate(token.getAcr()).orElse(null));
    }
}
