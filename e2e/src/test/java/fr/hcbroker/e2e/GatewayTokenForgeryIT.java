package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import fr.hcbroker.gateway.config.ConfigLoader;
import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.oidc.OidcProvider;
import fr.hcbroker.gateway.proxy.GatewayServer;
import fr.hcbroker.gateway.session.InfinispanSessionStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gateway's callback against a hostile identity provider: a test issuer (Vert.x + Nimbus) whose
 * token endpoint answers whatever ID token the test chooses. Only the honest one opens a session.
 */
@DisplayName("The gateway refuses forged ID tokens")
class GatewayTokenForgeryIT {

    private static final String CLIENT = "hc-gateway";
    private static Vertx vertx;
    private static HttpServer issuerServer;
    private static String issuer;
    private static RSAKey trusted;
    private static RSAKey other;
    private static volatile String nextIdToken;
    private static InfinispanSessionStore store;
    private static GatewayServer gateway;
    /** Keeps cookies, as the browser that starts a login must also be the one that completes it. */
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(new java.net.CookieManager(null, java.net.CookiePolicy.ACCEPT_ALL)).build();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        vertx = Vertx.vertx();
        trusted = new RSAKeyGenerator(2048).keyID("trusted").generate();
        other = new RSAKeyGenerator(2048).keyID("trusted").generate(); // same kid, other key
        issuerServer = vertx.createHttpServer().requestHandler(request -> {
            switch (request.path()) {
                case "/.well-known/openid-configuration" -> request.response().putHeader("content-type", "application/json")
                        .end(new JsonObject(Map.of("issuer", issuer, "authorization_endpoint", issuer + "/auth",
                                "token_endpoint", issuer + "/token", "jwks_uri", issuer + "/jwks",
                                "end_session_endpoint", issuer + "/logout", "response_types_supported", List.of("code"),
                                "subject_types_supported", List.of("public"),
                                "id_token_signing_alg_values_supported", List.of("RS256"))).encode());
                case "/jwks" -> request.response().putHeader("content-type", "application/json")
                        .end(new JWKSet(trusted.toPublicJWK()).toString());
                case "/token" -> request.body().onSuccess(b -> request.response().putHeader("content-type", "application/json")
                        .end(new JsonObject(Map.of("access_token", accessToken(), "token_type", "Bearer",
                                "expires_in", 300, "id_token", nextIdToken)).encode()));
                default -> request.response().setStatusCode(404).end();
            }
        }).listen(0, "127.0.0.1").await();
        issuer = "http://127.0.0.1:" + issuerServer.actualPort();
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                listen: {host: 127.0.0.1, port: 0}
                publicUrl: http://127.0.0.1:1
                oidc: {issuer: %s, clientId: %s, clientSecretEnv: SECRET}
                audit: {dir: %s}
                routes:
                  - {id: app, path: /, upstream: "http://127.0.0.1:1"}
                """.formatted(issuer, CLIENT, dir.resolve("audit")));
        GatewayConfig config = ConfigLoader.load(file, Map.of("SECRET", "s")::get);
        store = new InfinispanSessionStore(vertx, config.session());
        gateway = new GatewayServer(vertx, config, store,
                new OidcProvider(vertx, config.oidc(), URI.create("http://127.0.0.1:1/.hc/callback")),
                event -> Future.succeededFuture(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        gateway.start().await();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
        store.close();
    }

    private static String accessToken() {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256),
                    new JWTClaimsSet.Builder().subject("u").claim("realm_access", Map.of("roles", List.of("r"))).build());
            jwt.sign(new RSASSASigner(trusted));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The claims an honest Keycloak would put in the ID token for this login attempt. */
    private static JWTClaimsSet.Builder honest(String nonce) {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder().issuer(issuer).audience(CLIENT).subject("sub-1").claim("azp", CLIENT)
                .issueTime(new Date(now)).expirationTime(new Date(now + 300_000)).claim("nonce", nonce)
                .claim("acr", "eidas2").claim("preferred_username", "dr.martin").claim("sid", "sid-1");
    }

    private static String signed(JWTClaimsSet claims, RSAKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    static Stream<Arguments> forgeries() {
        return Stream.<Arguments>of(
                Arguments.of("signed by another key", (Function<String, String>) n -> sign(honest(n).build(), other)),
                Arguments.of("alg none", (Function<String, String>) n -> new PlainJWT(honest(n).build()).serialize()),
                Arguments.of("HS256 with the public key as secret", (Function<String, String>) n -> hmac(honest(n).build())),
                Arguments.of("tampered payload", (Function<String, String>) n -> tamper(sign(honest(n).build(), trusted))),
                Arguments.of("wrong issuer", (Function<String, String>) n -> sign(honest(n).issuer("http://evil.example").build(), trusted)),
                Arguments.of("wrong audience", (Function<String, String>) n -> sign(honest(n).audience("other-app").build(), trusted)),
                Arguments.of("azp of another client", (Function<String, String>) n -> sign(honest(n).claim("azp", "other-app").build(), trusted)),
                Arguments.of("expired", (Function<String, String>) n -> sign(honest(n)
                        .expirationTime(new Date(System.currentTimeMillis() - 600_000))
                        .issueTime(new Date(System.currentTimeMillis() - 900_000)).build(), trusted)),
                Arguments.of("nonce of another attempt", (Function<String, String>) n -> sign(honest("other-nonce").build(), trusted)),
                Arguments.of("no acr", (Function<String, String>) n -> sign(honest(n).claim("acr", null).build(), trusted)),
                Arguments.of("unknown acr", (Function<String, String>) n -> sign(honest(n).claim("acr", "eidas9").build(), trusted)));
    }

    private static String sign(JWTClaimsSet claims, RSAKey key) {
        try {
            return signed(claims, key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hmac(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(trusted.toPublicJWK().toRSAPublicKey().getEncoded()));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tamper(String jwt) {
        String[] parts = jwt.split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]))
                .replace("dr.martin", "admin");
        return parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "." + parts[2];
    }

    /** Starts a login at the gateway and returns (state, nonce) from its redirect to the issuer. */
    private static String[] startLogin() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.port() + "/page")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(302);
        Map<String, String> query = OidcClient.query(URI.create(response.headers().firstValue("location").orElseThrow()));
        return new String[]{query.get("state"), query.get("nonce")};
    }

    private static HttpResponse<String> callback(String state) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                + "/.hc/callback?state=" + state + "&code=" + UUID.randomUUID())).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theHonestTokenOpensASession() throws Exception {
        String[] attempt = startLogin();
        nextIdToken = signed(honest(attempt[1]).build(), trusted);
        HttpResponse<String> response = callback(attempt[0]);
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("location")).contains("/page");
        assertThat(response.headers().firstValue("set-cookie").orElseThrow()).startsWith("hc_session=");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void aForgedTokenOpensNoSession(String what, Function<String, String> forge) throws Exception {
        String[] attempt = startLogin();
        nextIdToken = forge.apply(attempt[1]);
        long before = store.size();
        HttpResponse<String> response = callback(attempt[0]);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("Connexion refusée");
        assertThat(response.headers().allValues("set-cookie")).isEmpty();
        assertThat(store.size()).isEqualTo(before);
    }
}
