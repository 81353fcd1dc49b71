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
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
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

    /** A fresh pending login and the URL to send the browser to. */
    public Future<Map.Entry<String, PendingLogin>> start(String returnPath, Level level, String replacing) {
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
                    .build().toURI();
            return Map.entry(uri.toString() + "#" + state.getValue(),
                    new PendingLogin(nonce.getValue(), verifier.getValue(), returnPath, level, replacing));
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
            JWT idToken = tokens.getOIDCTokens().getIDToken();
            IDTokenClaimsSet claims;
            try {
                claims = r.idTokens().validate(idToken, new Nonce(login.nonce()));
            } catch (com.nimbusds.jose.proc.BadJOSEException | com.nimbusds.jose.JOSEException e) {
                throw new OidcException("ID token refused: " + e.getMessage(), false, e);
            }
            if (claims.getAuthorizedParty() != null && !config.clientId().equals(claims.getAuthorizedParty().getValue())) {
                throw new OidcException("ID token refused: azp is not this client", false, null);
            }
            String acr = claims.getACR() == null ? null : claims.getACR().getValue();
            Level level = Level.fromAcr(acr).orElseThrow(() ->
                    new OidcException("ID token refused: missing or unknown acr '" + acr + "'", false, null));
            return session(claims.toJWTClaimsSet(), level, roles(tokens.getOIDCTokens().getAccessToken().getValue()),
                    correlation);
        }, false));
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

    /** Keycloak's end-session URL for an explicit logout. */
    public Future<String> endSessionUrl(String postLogoutRedirect) {
        return ready().map(r -> {
            URI endpoint = r.metadata().getEndSessionEndpointURI();
            return endpoint + "?client_id=" + enc(config.clientId())
                    + "&post_logout_redirect_uri=" + enc(postLogoutRedirect);
        });
    }

    private static Session session(JWTClaimsSet claims, Level level, Set<String> roles, String correlation)
            throws java.text.ParseException {
        return new Session(correlation, claims.getSubject(), claims.getStringClaim("sid"),
                claims.getStringClaim("preferred_username"), claims.getStringClaim("idnat_ps"),
                claims.getStringClaim("given_name"), claims.getStringClaim("family_name"),
                claims.getStringClaim("email"), strings(claims.getClaim("profession")),
                strings(claims.getClaim("structure")), roles, level, strings(claims.getClaim("amr")),
                System.currentTimeMillis() / 1000);
    }

    /**
     * Roles from the access token. Its signature is not checked: it came straight from the token
     * endpoint over the client-authenticated back channel together with the validated ID token.
     */
    private static Set<String> roles(String accessToken) throws java.text.ParseException {
        JWTClaimsSet claims = JWTParser.parse(accessToken).getJWTClaimsSet();
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
