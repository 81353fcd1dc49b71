package fr.hcbroker.e2e;

import fr.hcbroker.stack.client.Browser;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import fr.hcbroker.stack.Stack;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A confidential OIDC client of the hospiconnect realm, as tests need it: builds authorization
 * requests with PKCE, reads the code from the callback and exchanges it. Token claims are read
 * without verification here: these tests are about what Keycloak decided, not about JOSE.
 */
public final class OidcClient {

    private final String keycloakUrl;
    private final String clientId;
    private final String secret;
    private final String redirectUri;
    private final String verifier;

    public OidcClient(Stack stack, String clientId, String secret) {
        this(stack, stack.keycloakUrl(), clientId, secret);
    }

    /** A client of Keycloak at {@code keycloakUrl}, e.g. its https port where a card can be presented. */
    public OidcClient(Stack stack, String keycloakUrl, String clientId, String secret) {
        this(stack, keycloakUrl, clientId, secret, "/test-callback");
    }

    /**
     * Redirecting to {@code redirectPath} on the gateway's host: a browser test that must stay on the
     * redirect (to read the code) picks a public path, which the gateway serves without a login.
     */
    public OidcClient(Stack stack, String keycloakUrl, String clientId, String secret, String redirectPath) {
        this.keycloakUrl = keycloakUrl;
        this.clientId = clientId;
        this.secret = secret;
        this.redirectUri = stack.gatewayUrl() + redirectPath;
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** The authorization URL; {@code extra} adds parameters such as {@code acr_values}. */
    public String authorizationUrl(Map<String, String> extra) {
        StringBuilder url = new StringBuilder(keycloakUrl)
                .append("/realms/hospiconnect/protocol/openid-connect/auth?response_type=code&scope=openid")
                .append("&client_id=").append(enc(clientId))
                .append("&redirect_uri=").append(enc(redirectUri))
                .append("&state=s").append(System.nanoTime())
                .append("&nonce=n").append(System.nanoTime())
                .append("&code_challenge_method=S256&code_challenge=").append(challenge());
        extra.forEach((k, v) -> url.append('&').append(enc(k)).append('=').append(enc(v)));
        return url.toString();
    }

    public String authorizationUrl() {
        return authorizationUrl(Map.of());
    }

    /** Stops a {@link Browser} at the callback instead of fetching it. */
    public Predicate<URI> isCallback() {
        return uri -> uri.toString().startsWith(redirectUri);
    }

    /** Whether the login ended by sending a code to the client's callback. */
    public boolean issuedCode(Browser.Page page) {
        return isCallback().test(page.uri()) && query(page.uri()).containsKey("code");
    }

    /** Exchanges the code in {@code callback}; fails the test if there is none. */
    public JWTClaimsSet idTokenClaims(Browser browser, URI callback) {
        try {
            return SignedJWT.parse(idToken(browser, callback)).getJWTClaimsSet();
        } catch (ParseException e) {
            throw new AssertionError("unreadable ID token", e);
        }
    }

    /** Exchanges the code in {@code callback} and returns the raw ID token (e.g. as a logout hint). */
    public String idToken(Browser browser, URI callback) {
        Map<String, String> query = query(callback);
        if (!query.containsKey("code")) {
            throw new AssertionError("no code in " + callback);
        }
        String form = "grant_type=authorization_code&code=" + enc(query.get("code"))
                + "&redirect_uri=" + enc(redirectUri) + "&code_verifier=" + enc(verifier);
        HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(keycloakUrl
                        + "/realms/hospiconnect/protocol/openid-connect/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (enc(clientId) + ":" + enc(secret)).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (response.statusCode() != 200) {
            throw new AssertionError("token exchange failed: " + response.statusCode() + " " + response.body());
        }
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body())
                    .path("id_token").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError("unreadable token response: " + response.body(), e);
        }
    }

    public static Map<String, String> query(URI uri) {
        Map<String, String> params = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private String challenge() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
