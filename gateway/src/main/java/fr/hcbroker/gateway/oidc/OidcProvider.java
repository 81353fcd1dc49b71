package fr.hcbroker.gateway.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.Prompt;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenValidator;
import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.session.PendingLogin;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The gateway as an OpenID Connect client of Keycloak, on the Nimbus SDK. Every call that may do
 * network I/O (discovery, JWKS, token endpoint) or verify signatures runs on a worker thread.
 */
public final class OidcProvider {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Vertx vertx;
    private final GatewayConfig.OidcConfig config;
    private final URI callback;
    private volatile Ready ready;

    private record Ready(OIDCProviderMetadata metadata, IDTokenValidator idTokens, LogoutTokenValidator logoutTokens) {
    }

    public OidcProvider(Vertx vertx, GatewayConfig.OidcConfig config, URI callback) {
        this.vertx = vertx;
        this.config = config;
        this.callback = callback;
    }

    /** Whether discovery succeeded (readiness). */
    public boolean isReady() {
        return ready != null;
    }

    /** Discovery, retried on each login until it succeeds; then cached. */
    private Future<Ready> ready() {
        Ready r = ready;
        if (r != null) {
            return Future.succeededFuture(r);
        }
        return vertx.executeBlocking(() -> {
            try {
                OIDCProviderMetadata metadata = config.discovery() == null
                        ? OIDCProviderMetadata.resolve(new Issuer(config.issuer()), 3000, 3000)
                        : discoverAt(config.discovery());
                JWKSource<SecurityContext> keys = JWKSourceBuilder.create(metadata.getJWKSetURI().toURL())
                        .retrying(true).build();
                ClientID client = new ClientID(config.clientId());
                // RS256 only: "none", HMAC with a public key, or any other algorithm is refused.
                var selector = new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys);
                Ready loaded = new Ready(metadata,
                        new IDTokenValidator(metadata.getIssuer(), client, selector, null),
                        new LogoutTokenValidator(metadata.getIssuer(), client, selector, null));
                ready = loaded;
                return loaded;
            } catch (IOException | com.nimbusds.oauth2.sdk.GeneralException e) {
                throw new OidcException("the login service (" + config.issuer() + ") is unreachable", true, e);
            }
        }, false);
    }

    /**
     * The realm's metadata read from an internal address. Keycloak (with a fixed hostname and dynamic
     * back-channel URLs) answers there with the public issuer and internal token and key endpoints;
     * any other issuer is refused, as discovery from the issuer itself would.
     */
    private OIDCProviderMetadata discoverAt(URI realm) throws IOException, ParseException {
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.GET,
                URI.create(realm.toString().replaceAll("/+$", "") + "/.well-known/openid-configuration"));
        request.setConnectTimeout(3000);
        request.setReadTimeout(3000);
        HTTPResponse response = request.send();
        if (response.getStatusCode() != 200) {
            throw new IOException("discovery at " + realm + " answered " + response.getStatusCode());
        }
        OIDCProviderMetadata metadata = OIDCProviderMetadata.parse(response.getContentAsJSONObject());
        if (!metadata.getIssuer().getValue().equals(config.issuer().toString())) {
            throw new ParseException("discovery at " + realm + " names issuer " + metadata.getIssuer()
                    + ", not the configured " + config.issuer());
        }
        return metadata;
    }

    /** A fresh pending login, bound to {@code browser}, and the URL to send the browser to. */
    public Future<Map.Entry<String, PendingLogin>> start(String returnPath, Level level, String replacing, String browser) {
        return start(returnPath, level, replacing, browser, false);
    }

    /**
     * The same; {@code fresh}: a new authentication is demanded ({@code prompt=login}) from Keycloak,
     * which passes it on to the identity provider the person picks (Pro Santé Connect), so that no
     * session left there signs the next person in as the previous one.
     */
    public Future<Map.Entry<String, PendingLogin>> start(String returnPath, Level level, String replacing, String browser,
                                                         boolean fresh) {
        return ready().map(r -> {
            State state = new State(random());
            Nonce nonce = new Nonce(random());
            CodeVerifier verifier = new CodeVerifier();
            URI uri = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid"),
                    new ClientID(config.clientId()), callback)
                    .endpointURI(r.metadata().getAuthorizationEndpointURI())
                    .state(state).nonce(nonce)
                    .codeChallenge(verifier, CodeChallengeMethod.S256)
                    .customParameter("acr_values", level.acr())
                    .prompt(fresh ? new Prompt(Prompt.Type.LOGIN) : null)
                    .build().toURI();
            return Map.entry(uri.toString() + "#" + state.getValue(),
                    new PendingLogin(nonce.getValue(), verifier.getValue(), returnPath, level, replacing, browser));
        });
    }

    /** Exchanges the code and validates the ID token (signature, iss, aud, azp, exp, nonce, acr). */
    public Future<Session> complete(String code, PendingLogin login, String correlation) {
        return ready().compose(r -> vertx.executeBlocking(() -> {
            TokenRequest request = new TokenRequest(r.metadata().getTokenEndpointURI(),
                    new ClientSecretBasic(new ClientID(config.clientId()), new Secret(config.clientSecret())),
                    new AuthorizationCodeGrant(new AuthorizationCode(code), callback, new CodeVerifier(login.codeVerifier())));
            TokenResponse response;
            try {
                response = OIDCTokenResponseParser.parse(request.toHTTPRequest().send());
            } catch (IOException e) {
                throw new OidcException("the login service is unreachable", true, e);
            } catch (ParseException e) {
                throw new OidcException("unreadable token response", false, e);
            }
            if (!response.indicatesSuccess()) {
                throw new OidcException("token request refused: "
                        + response.toErrorResponse().getErrorObject().getCode(), false, null);
            }
            OIDCTokenResponse tokens = (OIDCTokenResponse) response.toSuccessResponse();
            IDTokenClaimsSet claims = validated(r, tokens.getOIDCTokens().getIDToken(), new Nonce(login.nonce()));
            String acr = claims.getACR() == null ? null : claims.getACR().getValue();
            Level level = Level.fromAcr(acr).orElseThrow(() ->
                    new OidcException("ID token refused: missing or unknown acr '" + acr + "'", false, null));
            JWTClaimsSet access = JWTParser.parse(tokens.getOIDCTokens().getAccessToken().getValue()).getJWTClaimsSet();
            JWTClaimsSet id = claims.toJWTClaimsSet();
            return session(correlation, id, roles(access), level, strings(id.getClaim("amr")),
                    System.currentTimeMillis() / 1000, tokens.getOIDCTokens().getRefreshToken(), access, emergency(id));
        }, false));
    }

    /**
     * Refreshes a session's tokens before the access token expires, so that the gateway session
     * lives no longer than Keycloak's: a refusal (session ended or user disabled at Keycloak) is an
     * {@link OidcException} that is not {@code unavailable}; Keycloak unreachable, or answering 503
     * {@code temporarily_unavailable} (it cannot check the account now), is one that is. The login's level, amr and emergency facts
     * stay (no authentication happened: a refresh neither extends an emergency session's limit nor
     * turns it into an ordinary one); names, professions and roles are read again.
     */
    public Future<Session> refresh(Session session) {
        return ready().compose(r -> vertx.executeBlocking(() -> {
            var tokens = refreshed(r, session);
            JWTClaimsSet access = JWTParser.parse(tokens.getAccessToken().getValue()).getJWTClaimsSet();
            JWTClaimsSet id = access;
            if (tokens instanceof com.nimbusds.openid.connect.sdk.token.OIDCTokens oidcTokens && oidcTokens.getIDToken() != null) {
                id = validated(r, oidcTokens.getIDToken(), null).toJWTClaimsSet();
            }
            if (!session.sub().equals(id.getSubject()) || !java.util.Objects.equals(session.sid(), id.getStringClaim("sid"))) {
                throw new OidcException("refresh refused: the tokens are another session's", false, null);
            }
            RefreshToken next = tokens.getRefreshToken() != null ? tokens.getRefreshToken()
                    : new RefreshToken(session.refreshToken());
            return session(session.correlation(), id, roles(access), session.level(), session.amr(),
                    session.createdAt(), next, access, session.emergency());
        }, false));
    }

    /** The session's tokens, refreshed at Keycloak (blocking: on a worker). */
    private com.nimbusds.oauth2.sdk.token.Tokens refreshed(Ready r, Session session) {
        TokenRequest request = new TokenRequest(r.metadata().getTokenEndpointURI(),
                new ClientSecretBasic(new ClientID(config.clientId()), new Secret(config.clientSecret())),
                new RefreshTokenGrant(new RefreshToken(session.refreshToken())));
        TokenResponse response;
        try {
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout(3000);
            http.setReadTimeout(3000);
            response = OIDCTokenResponseParser.parse(http.send());
        } catch (IOException e) {
            throw new OidcException("the login service is unreachable", true, e);
        } catch (ParseException e) {
            throw new OidcException("unreadable token response", false, e);
        }
        if (!response.indicatesSuccess()) {
            var error = response.toErrorResponse().getErrorObject();
            boolean later = postponed(error);
            throw new OidcException((later ? "refresh postponed: " : "refresh refused: ") + error.getCode(), later, null);
        }
        return response.toSuccessResponse().getTokens();
    }

    /**
     * A refresh answer that is no refusal: Keycloak cannot check the account now (its directory does
     * not answer) and says 503 {@code temporarily_unavailable}; the session goes on and asks again later.
     */
    static boolean postponed(com.nimbusds.oauth2.sdk.ErrorObject error) {
        return error.getHTTPStatusCode() == 503 || "temporarily_unavailable".equals(error.getCode());
    }

    /**
     * Where to send the browser so that Keycloak ends the person's session and, for a login that came
     * through an identity provider (Pro Santé Connect), Keycloak sends it on to that provider's
     * end-session endpoint with the ID token it got there (RP-initiated logout): Keycloak's end-session
     * endpoint with a fresh ID token of this session as hint, so no confirmation is asked. A logout from
     * the server ({@link #endSession}) never reaches the provider. The gateway keeps no ID token
     * (sessions stay small): one refresh gets it. Fails when Keycloak's session has already ended (the
     * refresh is refused) or Keycloak cannot be reached.
     */
    public Future<String> endSessionInBrowser(Session session, String postLogoutRedirect) {
        if (session == null || session.refreshToken() == null) {
            return Future.failedFuture(new OidcException("the session holds no refresh token", false, null));
        }
        return ready().compose(r -> vertx.executeBlocking(() -> {
            var tokens = refreshed(r, session);
            if (!(tokens instanceof com.nimbusds.openid.connect.sdk.token.OIDCTokens oidcTokens)
                    || oidcTokens.getIDToken() == null) {
                throw new OidcException("the refresh gave no ID token", false, null);
            }
            JWTClaimsSet id = validated(r, oidcTokens.getIDToken(), null).toJWTClaimsSet();
            if (!session.sub().equals(id.getSubject()) || !java.util.Objects.equals(session.sid(), id.getStringClaim("sid"))) {
                throw new OidcException("refresh refused: the tokens are another session's", false, null);
            }
            return r.metadata().getEndSessionEndpointURI() + "?client_id=" + enc(config.clientId())
                    + "&id_token_hint=" + enc(oidcTokens.getIDToken().serialize())
                    + "&post_logout_redirect_uri=" + enc(postLogoutRedirect);
        }, false));
    }

    /** Signature (RS256, JWKS with rotation), iss, aud, exp, nonce when expected, and azp. */
    private IDTokenClaimsSet validated(Ready r, JWT idToken, Nonce nonce) {
        IDTokenClaimsSet claims;
        try {
            claims = r.idTokens().validate(idToken, nonce);
        } catch (com.nimbusds.jose.proc.BadJOSEException | com.nimbusds.jose.JOSEException e) {
            throw new OidcException("ID token refused: " + e.getMessage(), false, e);
        }
        if (claims.getAuthorizedParty() != null && !config.clientId().equals(claims.getAuthorizedParty().getValue())) {
            throw new OidcException("ID token refused: azp is not this client", false, null);
        }
        return claims;
    }

    /** Validates a back-channel logout token; returns its (sid, sub). */
    public Future<Map.Entry<String, String>> logoutToken(String token) {
        return ready().compose(r -> vertx.executeBlocking(() -> {
            try {
                LogoutTokenClaimsSet claims = r.logoutTokens().validate(JWTParser.parse(token));
                return new java.util.AbstractMap.SimpleImmutableEntry<>(
                        claims.getSessionID() == null ? null : claims.getSessionID().getValue(),
                        claims.getSubject() == null ? null : claims.getSubject().getValue());
            } catch (java.text.ParseException | com.nimbusds.jose.proc.BadJOSEException | com.nimbusds.jose.JOSEException e) {
                throw new OidcException("logout token refused: " + e.getMessage(), false, e);
            }
        }, false));
    }

    /**
     * Ends the person's Keycloak session from the server: Keycloak's logout endpoint, given the
     * session's refresh token and this client's credentials. Sending the browser to the end-session
     * page instead only asks the person to confirm (the gateway keeps no ID token to hint with), and a
     * tab closed there left the SSO session open for the next person at the workstation. True once
     * Keycloak has ended it (or it had already ended); false if it could not be asked.
     */
    public Future<Boolean> endSession(Session session) {
        if (session == null || session.refreshToken() == null) {
            return Future.succeededFuture(false);
        }
        return ready().compose(r -> vertx.executeBlocking(() -> {
            HTTPRequest http = new HTTPRequest(HTTPRequest.Method.POST,
                    onBackChannel(r.metadata().getEndSessionEndpointURI(), config.issuer(), config.discovery()));
            http.setEntityContentType(com.nimbusds.common.contenttype.ContentType.APPLICATION_URLENCODED);
            new ClientSecretBasic(new ClientID(config.clientId()), new Secret(config.clientSecret())).applyTo(http);
            http.setBody("refresh_token=" + enc(session.refreshToken()));
            http.setConnectTimeout(3000);
            http.setReadTimeout(3000);
            try {
                // Only a success says the session ended: a 400 may also be a refresh token Keycloak no
                // longer reads (a rotated key) while the session lives on, so the browser goes to the
                // end-session page then.
                int status = http.send().getStatusCode();
                return status == 204 || status == 200;
            } catch (IOException e) {
                return false;
            }
        }, false)).otherwise(false);
    }

    /**
     * Where the gateway itself calls an endpoint that the realm names under its public URL: Keycloak
     * gives the end-session endpoint (a browser's) under the issuer even to a back-channel request, and
     * a gateway that reaches Keycloak on an internal URL ({@code discoveryUrl}) may not reach that one
     * (a container), so the path is kept and the base swapped. Any other URL is left as it is.
     */
    static URI onBackChannel(URI endpoint, URI issuer, URI backChannel) {
        if (backChannel == null) {
            return endpoint;
        }
        String publicBase = issuer.toString().replaceAll("/+$", "") + "/";
        String url = endpoint.toString();
        return url.startsWith(publicBase)
                ? URI.create(backChannel.toString().replaceAll("/+$", "") + "/" + url.substring(publicBase.length()))
                : endpoint;
    }

    /** Keycloak's end-session URL for an explicit logout. */
    public Future<String> endSessionUrl(String postLogoutRedirect) {
        return ready().map(r -> {
            URI endpoint = r.metadata().getEndSessionEndpointURI();
            return endpoint + "?client_id=" + enc(config.clientId())
                    + "&post_logout_redirect_uri=" + enc(postLogoutRedirect);
        });
    }

    private static Session session(String correlation, JWTClaimsSet id, Set<String> roles, Level level,
                                   List<String> amr, long createdAt, RefreshToken refreshToken, JWTClaimsSet access,
                                   Session.Emergency emergency)
            throws java.text.ParseException {
        return new Session(correlation, id.getSubject(), id.getStringClaim("sid"),
                id.getStringClaim("preferred_username"), id.getStringClaim("idnat_ps"),
                id.getStringClaim("given_name"), id.getStringClaim("family_name"),
                id.getStringClaim("email"), strings(id.getClaim("profession")),
                strings(id.getClaim("structure")), roles, level, amr, createdAt,
                refreshToken == null ? null : refreshToken.getValue(), refreshAt(access), emergency);
    }

    /** The ID token claims of an emergency session (Keycloak's EmergencyClaimsMapper). */
    static final String EMERGENCY = "hc_emergency", EMERGENCY_REASON = "hc_emergency_reason",
            EMERGENCY_UNTIL = "hc_emergency_until";

    /**
     * The emergency facts of a validated ID token, or null for an ordinary session. Any value of
     * {@code hc_emergency} but false marks the session: a marker that cannot be read never makes an
     * ordinary session. Its limit, unreadable or missing, is taken as already past (Keycloak's own
     * reading of its notes), so such a session ends at once.
     */
    static Session.Emergency emergency(JWTClaimsSet id) {
        Object marker = id.getClaim(EMERGENCY);
        if (marker == null || Boolean.FALSE.equals(marker)) {
            return null;
        }
        Object reason = id.getClaim(EMERGENCY_REASON);
        Object until = id.getClaim(EMERGENCY_UNTIL);
        return new Session.Emergency(reason instanceof String text ? text : "",
                until instanceof Number number ? number.longValue() : 0);
    }

    /**
     * A fifth of the access token's life before it ends (at most a minute, at least 5 s): the session
     * is checked with Keycloak about as often as an app holding that token would be.
     */
    static long refreshAt(JWTClaimsSet access) {
        if (access.getExpirationTime() == null) {
            return Long.MAX_VALUE;
        }
        long exp = access.getExpirationTime().getTime() / 1000;
        long iat = access.getIssueTime() == null ? exp - 300 : access.getIssueTime().getTime() / 1000;
        return exp - Math.max(5, Math.min(60, (exp - iat) / 5));
    }

    /**
     * Roles from the access token. Its signature is not checked: it came straight from the token
     * endpoint over the client-authenticated back channel together with the validated ID token.
     */
    private static Set<String> roles(JWTClaimsSet claims) {
        Set<String> roles = new TreeSet<>();
        Object realm = claims.getClaim("realm_access");
        if (realm instanceof Map<?, ?> map) {
            roles.addAll(strings(map.get("roles")));
        }
        Object resources = claims.getClaim("resource_access");
        if (resources instanceof Map<?, ?> map) {
            map.forEach((client, access) -> {
                if (access instanceof Map<?, ?> a) {
                    strings(a.get("roles")).forEach(role -> roles.add(client + ":" + role));
                }
            });
        }
        return roles;
    }

    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(v -> out.add(String.valueOf(v)));
        } else if (value != null) {
            out.add(String.valueOf(value));
        }
        return out;
    }

    static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
