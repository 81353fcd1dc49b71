package fr.hcbroker.keycloak.psc;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import fr.hcbroker.idnat.InvalidIdNatException;
import fr.hcbroker.keycloak.loa.LoginLevel;
import fr.hcbroker.keycloak.loa.PhishingResistantFloor;
import fr.hcbroker.loa.Amr;
import fr.hcbroker.loa.Level;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.UriBuilder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.keycloak.broker.oidc.OIDCIdentityProvider;
import org.keycloak.broker.provider.AuthenticationRequest;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.broker.provider.IdentityBrokerException;
import org.keycloak.broker.provider.UserAuthenticationIdentityProvider.AuthenticationCallback;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.http.simple.SimpleHttp;
import org.keycloak.http.simple.SimpleHttpRequest;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.storage.ReadOnlyException;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.representations.JsonWebToken;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.vault.VaultStringSecret;

/**
 * Pro Santé Connect over Keycloak's OIDC broker. Keycloak does the protocol (state, PKCE, code
 * exchange, ID token signature through PSC's JWKS, iss, aud, exp, nonce, RP-initiated logout);
 * this class adds only what PSC needs beyond it: acr/authMode to our level, userinfo as JSON or a
 * signed JWT checked with Nimbus, the identity keyed on SubjectNameID (idNat_PS, never {@code sub}),
 * the user attributes, and a clear page for every refusal.
 */
public final class PscIdentityProvider extends OIDCIdentityProvider {

    /**
     * Client notes of the auth session that carry the level from the token check to the end of the
     * login: auth notes would not do, the first-broker-login flow resets them.
     */
    static final String LEVEL_NOTE = "hc.psc.level";
    static final String AMR_NOTE = "hc.psc.amr";
    /** Client note and audit detail naming an acr or authMode on which PSC's answers disagreed. */
    public static final String DISAGREEMENT_NOTE = "hc.psc.disagreement";
    public static final String DISAGREEMENT_DETAIL = "psc_disagreement";

    private static final Logger LOG = Logger.getLogger(PscIdentityProvider.class);

    private final PscSettings settings;
    private final PscTokenClient tokenClient;
    /** The broker callback's event: refusal reasons and disagreements go into its details (and so the audit). */
    private EventBuilder event;

    PscIdentityProvider(KeycloakSession session, PscIdentityProviderConfig config, PscSettings settings,
                        PscTokenClient tokenClient) {
        super(session, config);
        this.settings = settings;
        this.tokenClient = tokenClient;
    }

    @Override
    public Object callback(RealmModel realm, AuthenticationCallback callback, EventBuilder event) {
        this.event = event;
        return new PscEndpoint(callback, realm, event, this);
    }

    /**
     * Keycloak's broker endpoint, with the token request sent through {@link PscTokenClient}: Keycloak
     * builds the request (code, redirect_uri, PKCE verifier, client authentication), this endpoint
     * only changes how it travels (the establishment's certificate, refusals as pages).
     */
    private final class PscEndpoint extends OIDCEndpoint {

        PscEndpoint(AuthenticationCallback callback, RealmModel realm, EventBuilder event, PscIdentityProvider provider) {
            super(callback, realm, event, provider);
        }

        @Override
        public SimpleHttpRequest generateTokenRequest(String authorizationCode) {
            SimpleHttpRequest built = super.generateTokenRequest(authorizationCode);
            SimpleHttpRequest sent = SimpleHttp.create(tokenClient.forToken(session, PscIdentityProvider.this.getConfig().getAlias(), settings))
                    .doPost(built.getUrl());
            // Keycloak leaves a request's header and parameter maps null until one is set.
            if (built.getHeaders() != null) {
                built.getHeaders().forEach(sent::header);
            }
            if (built.getParams() != null) {
                built.getParams().forEach(sent::param);
            }
            return sent;
        }
    }

    /**
     * tls_client_auth (RFC 8705): the certificate in the handshake is the authentication; the form
     * names the client and carries no secret. Other methods are Keycloak's (basic, private_key_jwt).
     */
    @Override
    public SimpleHttpRequest authenticateTokenRequest(SimpleHttpRequest tokenRequest) {
        if (settings.clientAuthentication() == PscClientAuthentication.TLS_CLIENT_AUTH) {
            return tokenRequest.param(org.keycloak.OAuth2Constants.CLIENT_ID, getConfig().getClientId());
        }
        return super.authenticateTokenRequest(tokenRequest);
    }

    @Override
    public PscIdentityProviderConfig getConfig() {
        return (PscIdentityProviderConfig) super.getConfig();
    }

    /** PSC expects {@code acr_values=eidas1} whatever the app asked of us: our level comes from authMode. */
    @Override
    protected UriBuilder createAuthorizationUrl(AuthenticationRequest request) {
        return super.createAuthorizationUrl(request).replaceQueryParam("acr_values", Level.LOW.acr());
    }

    /** PSC may sign ID tokens with HS256 and the client secret; other algorithms go to Keycloak's JWKS check. */
    @Override
    protected boolean verify(JWSInput jws) {
        String alg = jws.getHeader().getRawAlgorithm();
        if (alg == null || !alg.startsWith("HS")) {
            return super.verify(jws);
        }
        try (VaultStringSecret secret = session.vault().getStringSecret(getConfig().getClientSecret())) {
            byte[] key = secret.get().orElse(getConfig().getClientSecret()).getBytes(StandardCharsets.UTF_8);
            return SignedJWT.parse(jws.getWireString()).verify(new MACVerifier(key));
        } catch (ParseException | JOSEException e) {
            return false;
        }
    }

    /** Keycloak's checks, with a PSC page when one fails, and exp required (Keycloak accepts a token without). */
    @Override
    protected JsonWebToken validateToken(String encodedToken, boolean ignoreAudience) {
        JsonWebToken token;
        try {
            token = super.validateToken(encodedToken, ignoreAudience);
        } catch (PscRefusedException e) {
            throw e;
        } catch (IdentityBrokerException e) {
            throw new PscRefusedException(PscRefusal.TOKEN_INVALID, e.getMessage(), e);
        }
        if (token.getExp() == null) {
            throw new PscRefusedException(PscRefusal.TOKEN_INVALID, "ID token without exp");
        }
        return token;
    }

    /**
     * Keycloak's identity, then re-keyed on idNat_PS: the base class insists that the identity's id
     * is the token's {@code sub} while it builds it; PSC's {@code sub} format has changed over time,
     * so the federated identity link uses SubjectNameID instead (DESIGN.md §3).
     */
    @Override
    public BrokeredIdentityContext getFederatedIdentity(String response) {
        BrokeredIdentityContext identity;
        try {
            identity = super.getFederatedIdentity(response);
        } catch (PscRefusedException e) {
            throw logged(e);
        }
        String idNat = identity.getUserAttribute(PscProfile.IDNAT);
        identity.setId(idNat);
        identity.setUsername(idNat);
        identity.setBrokerUserId(getConfig().getAlias() + "." + idNat);
        return identity;
    }

    /**
     * The level is decided only once the userinfo is read: PSC sends authMode there and in the access
     * token, not in the ID token (DESIGN.md §3).
     */
    @Override
    protected BrokeredIdentityContext extractIdentity(AccessTokenResponse tokenResponse, String accessToken,
                                                      JsonWebToken idToken) {
        String tokenIdNat = claim(idToken, "SubjectNameID");
        if (tokenIdNat == null) {
            tokenIdNat = claim(idToken, "preferred_username");
        }
        if (tokenIdNat == null) {
            throw new PscRefusedException(PscRefusal.IDENTITY_MISMATCH, "ID token has no SubjectNameID");
        }
        JsonNode userInfo = userInfoReader().read(getConfig().getUserInfoUrl(), accessToken);
        String userInfoSub = PscProfile.text(userInfo, "sub");
        if (userInfoSub != null && !userInfoSub.equals(idToken.getSubject())) {
            throw new PscRefusedException(PscRefusal.IDENTITY_MISMATCH, "userinfo sub differs from the ID token's");
        }
        if (!tokenIdNat.equals(PscProfile.text(userInfo, "SubjectNameID"))) {
            throw new PscRefusedException(PscRefusal.IDENTITY_MISMATCH, "userinfo SubjectNameID differs from the ID token's");
        }

        PscClaimSources sources = new PscClaimSources(userInfo, accessTokenClaims(accessToken), idToken.getOtherClaims());
        PscClaimSources.Claim acr = sources.read("acr");
        PscClaimSources.Claim authMode = sources.read("authMode");
        AuthenticationSessionModel authSession = session.getContext().getAuthenticationSession();
        recordDisagreement(authSession, Arrays.asList(disagreement("acr", acr), disagreement("authMode", authMode)));
        PscLevelDecision decision = settings.policy().decide(acr.value(), authMode.value());
        if (!decision.accepted()) {
            throw new PscRefusedException(PscRefusal.LEVEL_REFUSED, decision.reason());
        }
        Level level = decision.level().orElseThrow();
        // Here, before any account is linked or created: the app's level is checked nowhere else on this path.
        int required = LoginLevel.forcedLevel(session, authSession);
        if (level.loa() < required) {
            throw new PscRefusedException(PscRefusal.LEVEL_BELOW_REQUIRED,
                    "login at " + level.acr() + " while the app requires "
                            + Level.fromLoa(required).map(Level::acr).orElse("level " + required));
        }
        List<String> amr = decision.amr().stream().map(Amr::value).toList();
        if (PhishingResistantFloor.requiredBy(authSession.getClient())
                && !PhishingResistantFloor.of(authSession.getRealm()).metBy(amr)) {
            throw new PscRefusedException(PscRefusal.PHISHING_RESISTANT_REQUIRED,
                    "login with " + amr + " while the app requires a phishing-resistant factor");
        }
        PscProfile profile;
        try {
            profile = PscProfile.from(userInfo, settings.finess(), settings.acceptsAnsTestIdentities());
        } catch (InvalidIdNatException e) {
            throw new PscRefusedException(PscRefusal.IDENTITY_MISMATCH, e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new PscRefusedException(PscRefusal.USERINFO_INVALID, e.getMessage(), e);
        }

        BrokeredIdentityContext identity = new BrokeredIdentityContext(idToken.getSubject(), getConfig());
        identity.getContextData().put(VALIDATED_ID_TOKEN, idToken);
        identity.getContextData().put(FEDERATED_ACCESS_TOKEN_RESPONSE, tokenResponse);
        identity.setUsername(profile.idNat().value());
        identity.setFirstName(profile.givenName());
        identity.setLastName(profile.familyName());
        identity.setEmail(PscProfile.text(userInfo, "email"));
        identity.setBrokerUserId(getConfig().getAlias() + "." + idToken.getSubject());
        if (tokenResponse.getSessionState() != null) {
            identity.setBrokerSessionId(getConfig().getAlias() + "." + tokenResponse.getSessionState());
        }
        // Mutable lists: Keycloak serializes the context into the auth session by the values' classes.
        profile.attributes().forEach((name, values) -> identity.setUserAttribute(name, new ArrayList<>(values)));

        authSession.setClientNote(LEVEL_NOTE, level.acr());
        authSession.setClientNote(AMR_NOTE, String.join(" ", decision.amr().stream().map(Amr::name).toList()));
        return identity;
    }

    /**
     * Keycloak checks the nonce here but answers a mismatch with a bare JSON error: the person gets a page.
     * Then, before Keycloak links anything: an account already signed in in this browser (account linking,
     * {@code kc_action=idp_link}, or a step-up) must be the professional PSC has just identified; otherwise
     * whoever sits at someone's unattended session would bind their own PSC identity to that account.
     */
    @Override
    public void preprocessFederatedIdentity(KeycloakSession session, RealmModel realm, BrokeredIdentityContext context) {
        try {
            super.preprocessFederatedIdentity(session, realm, context);
        } catch (WebApplicationException | IdentityBrokerException e) {
            throw logged(new PscRefusedException(PscRefusal.TOKEN_INVALID, "nonce check failed: " + e.getMessage(), e));
        }
        UserModel signedIn = context.getAuthenticationSession().getAuthenticatedUser();
        if (signedIn != null) {
            requireSameProfessional(signedIn, context);
        }
    }

    /** The login is complete: its level and amr become the session's (LoginLevel), so tokens carry them. */
    @Override
    public void authenticationFinished(AuthenticationSessionModel authSession, BrokeredIdentityContext context) {
        super.authenticationFinished(authSession, context);
        Level level = Level.fromAcr(authSession.getClientNote(LEVEL_NOTE)).orElseThrow(
                () -> new PscRefusedException(PscRefusal.LEVEL_REFUSED, "no level recorded for this login"));
        List<Amr> amr = Arrays.stream(authSession.getClientNote(AMR_NOTE).split(" ")).map(Amr::valueOf).toList();
        authSession.removeClientNote(LEVEL_NOTE);
        authSession.removeClientNote(AMR_NOTE);
        LoginLevel.record(session, authSession, level, amr);
    }

    @Override
    public void importNewUser(KeycloakSession session, RealmModel realm, UserModel user, BrokeredIdentityContext context) {
        super.importNewUser(session, realm, user, context);
        applyProfile(user, context);
    }

    /**
     * At every login and link to an existing account: names, professions and activities follow PSC, the
     * source of truth for them, but only on the account that holds this idNat_PS; a link that points
     * elsewhere (made by hand, or before this check) logs in nobody and rewrites nothing.
     */
    @Override
    public void updateBrokeredUser(KeycloakSession session, RealmModel realm, UserModel user, BrokeredIdentityContext context) {
        requireSameProfessional(user, context);
        super.updateBrokeredUser(session, realm, user, context);
        applyProfile(user, context);
    }

    private void requireSameProfessional(UserModel account, BrokeredIdentityContext context) {
        String held = account.getFirstAttribute(PscProfile.IDNAT);
        String proven = context.getUserAttribute(PscProfile.IDNAT);
        if (held == null || !held.equals(proven)) {
            throw logged(new PscRefusedException(PscRefusal.ACCOUNT_MISMATCH, "account " + account.getUsername()
                    + " holds idnat_ps " + held + ", Pro Santé Connect identified " + proven));
        }
    }

    /**
     * idnat_ps is never written here: it is the account's key, set by an admin or at the account's creation.
     * On an account joined to the hospital's directory, what the directory holds (names, profession,
     * structure, read-only there) stays the directory's: PSC's value does not replace it.
     */
    private static void applyProfile(UserModel user, BrokeredIdentityContext context) {
        if (context.getFirstName() != null) {
            unlessDirectoryHeld(() -> user.setFirstName(context.getFirstName()));
        }
        if (context.getLastName() != null) {
            unlessDirectoryHeld(() -> user.setLastName(context.getLastName()));
        }
        for (Map.Entry<String, List<String>> attribute : context.getAttributes().entrySet()) {
            if (!PscProfile.NAMES.contains(attribute.getKey()) || PscProfile.IDNAT.equals(attribute.getKey())) {
                continue;
            }
            if (attribute.getValue() == null || attribute.getValue().isEmpty()) {
                unlessDirectoryHeld(() -> user.removeAttribute(attribute.getKey()));
            } else {
                unlessDirectoryHeld(() -> user.setAttribute(attribute.getKey(), attribute.getValue()));
            }
        }
    }

    private static void unlessDirectoryHeld(Runnable write) {
        try {
            write.run();
        } catch (ReadOnlyException directoryHeld) {
            // Keycloak's LDAP mappers refuse writes to what the directory holds: its value stays.
        }
    }

    /**
     * Keycloak shows the page for a refusal that has a message code but does not log why: the
     * reason goes to the log here (no token or secret is part of any reason).
     */
    private PscRefusedException logged(PscRefusedException e) {
        LOG.warnf("identity provider %s: %s", getConfig().getAlias(), e.getMessage());
        if (event != null) {
            event.detail(Details.IDENTITY_PROVIDER, getConfig().getAlias()).detail("psc_refusal", e.getMessage());
        }
        return e;
    }

    private PscUserInfoReader userInfoReader() {
        try (VaultStringSecret secret = session.vault().getStringSecret(getConfig().getClientSecret())) {
            return new PscUserInfoReader(session, tokenClient.client(session, getConfig().getAlias(), settings),
                    getConfig().getIssuer(), getConfig().getClientId(),
                    secret.get().orElse(getConfig().getClientSecret()), getConfig().getJwksUrl());
        }
    }

    /**
     * The access token's claims when it is a JWT whose signature checks like the ID token's; an opaque
     * token has none. A JWT that fails the check refuses the login: its claims could decide the level.
     */
    private Map<String, Object> accessTokenClaims(String accessToken) {
        if (accessToken == null || accessToken.chars().filter(c -> c == '.').count() != 2) {
            return Map.of();
        }
        JWSInput jws;
        try {
            jws = new JWSInput(accessToken);
        } catch (JWSInputException e) {
            return Map.of();
        }
        if (!verify(jws)) {
            throw new PscRefusedException(PscRefusal.TOKEN_INVALID, "access token signature does not verify");
        }
        try {
            return jws.readJsonContent(JsonWebToken.class).getOtherClaims();
        } catch (JWSInputException e) {
            throw new PscRefusedException(PscRefusal.TOKEN_INVALID, "access token content unreadable", e);
        }
    }

    /** e.g. {@code authMode: userinfo "MOBILE" kept, id token "CARD"}, or null when the sources agree. */
    private static String disagreement(String name, PscClaimSources.Claim claim) {
        return claim.disagreement() == null ? null : name + ": " + PscClaimSources.label(claim.source()) + " "
                + PscLevelPolicy.printable(claim.value()) + " kept, " + claim.disagreement();
    }

    /**
     * PSC said two things: the first source won (userinfo). What each said goes to the log and to the
     * audit: as a detail of this callback's event (a refused login's record), and as a client note that
     * the audit listener adds to the login's record ({@link #DISAGREEMENT_NOTE}) when the login succeeds,
     * since Keycloak sends that record from a later request. Only claim names and values: no identity.
     */
    private void recordDisagreement(AuthenticationSessionModel authSession, List<String> disagreements) {
        String text = String.join("; ", disagreements.stream().filter(java.util.Objects::nonNull).toList());
        if (text.isEmpty()) {
            authSession.removeClientNote(DISAGREEMENT_NOTE);
            return;
        }
        LOG.warnf("identity provider %s: Pro Santé Connect disagrees with itself: %s", getConfig().getAlias(), text);
        if (event != null) {
            event.detail(DISAGREEMENT_DETAIL, text);
        }
        authSession.setClientNote(DISAGREEMENT_NOTE, text);
    }

    private static String claim(JsonWebToken token, String name) {
        Object value = token.getOtherClaims().get(name);
        return value instanceof String s && !s.isBlank() ? s : null;
    }
}
