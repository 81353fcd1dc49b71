package fr.hcbroker.e2e;

import com.nimbusds.jose.JOSEException;
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
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A hostile OpenID provider for the PSC tests: a real issuer (discovery at PSC's wallet path, JWKS,
 * authorization, token, userinfo) whose answers each test bends one way. Tokens are signed with
 * Nimbus; the JDK's HTTP server serves them. Only a test peer: the stand-in of the demo is a realm.
 */
final class HostileOp implements AutoCloseable {

    /** What the next login answers; every field is one thing a test can forge. */
    record Answer(String idNat, String email, String acr, String authMode, String iss, String aud, long expOffsetSeconds,
                  String nonce, Signing signing, boolean userInfoAsJwt, boolean userInfoForeignKey,
                  String userInfoIdNat, String userInfoAud, Map<String, Object> userInfoFields) {

        static Answer valid(String idNat) {
            return new Answer(idNat, null, "eidas1", "MOBILE", null, null, 300, null, Signing.PUBLISHED_KEY, false, false,
                    null, null, Map.of());
        }

        Answer with(UnaryOperator<Builder> change) {
            return change.apply(new Builder(this)).build();
        }
    }

    /** How the ID token is signed. */
    enum Signing {
        PUBLISHED_KEY, FOREIGN_KEY_SAME_KID, CLIENT_SECRET_HS256, OTHER_SECRET_HS256, NONE
    }

    /** Copy-and-change for {@link Answer}. */
    static final class Builder {
        String idNat, email, acr, authMode, iss, aud, nonce, userInfoIdNat, userInfoAud;
        long expOffsetSeconds;
        Signing signing;
        boolean userInfoAsJwt, userInfoForeignKey;
        Map<String, Object> userInfoFields;

        Builder(Answer a) {
            idNat = a.idNat(); email = a.email(); acr = a.acr(); authMode = a.authMode(); iss = a.iss(); aud = a.aud();
            expOffsetSeconds = a.expOffsetSeconds(); nonce = a.nonce(); signing = a.signing();
            userInfoAsJwt = a.userInfoAsJwt(); userInfoForeignKey = a.userInfoForeignKey(); userInfoIdNat = a.userInfoIdNat();
            userInfoAud = a.userInfoAud(); userInfoFields = new LinkedHashMap<>(a.userInfoFields());
        }

        Builder email(String v) { email = v; return this; }
        Builder acr(String v) { acr = v; return this; }
        Builder authMode(String v) { authMode = v; return this; }
        Builder iss(String v) { iss = v; return this; }
        Builder aud(String v) { aud = v; return this; }
        Builder expOffsetSeconds(long v) { expOffsetSeconds = v; return this; }
        Builder nonce(String v) { nonce = v; return this; }
        Builder signing(Signing v) { signing = v; return this; }
        Builder userInfoAsJwt() { userInfoAsJwt = true; return this; }
        Builder userInfoForeignKey() { userInfoForeignKey = true; return this; }
        Builder userInfoIdNat(String v) { userInfoIdNat = v; return this; }
        Builder userInfoAud(String v) { userInfoAud = v; return this; }
        /** A userinfo field set (or, with a null value, left out) as PSC would send it, e.g. authMode. */
        Builder userInfo(String field, Object value) { userInfoFields.put(field, value); return this; }

        Answer build() {
            return new Answer(idNat, email, acr, authMode, iss, aud, expOffsetSeconds, nonce, signing,
                    userInfoAsJwt, userInfoForeignKey, userInfoIdNat, userInfoAud, userInfoFields);
        }
    }

    static final String CLIENT_ID = "hostile-client";
    static final String CLIENT_SECRET = "hostile-secret-hostile-secret-0123456789";

    private final HttpServer server;
    private final RSAKey key;
    /** Same kid as the published key, another key pair: a forgery Keycloak must not accept. */
    private final RSAKey foreignKey;
    private volatile Answer answer;
    private volatile String lastNonce;
    private volatile int tokenRequests;

    HostileOp() throws IOException, JOSEException {
        key = new RSAKeyGenerator(2048).keyID("hostile-1").generate();
        foreignKey = new RSAKeyGenerator(2048).keyID("hostile-1").generate();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/realms/esante-wallet/", this::handle);
        server.start();
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/esante-wallet";
    }

    void answer(Answer next) {
        answer = next;
        tokenRequests = 0;
    }

    int tokenRequests() {
        return tokenRequests;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring("/realms/esante-wallet".length());
            switch (path) {
                case "/.well-known/wallet-openid-configuration" -> json(exchange, discovery());
                case "/protocol/openid-connect/certs" -> send(exchange, 200, "application/json",
                        new JWKSet(key.toPublicJWK()).toString());
                case "/protocol/openid-connect/auth" -> authorize(exchange);
                case "/protocol/openid-connect/token" -> {
                    exchange.getRequestBody().readAllBytes();
                    tokenRequests++;
                    json(exchange, Map.of("access_token", "hostile-access-token", "token_type", "Bearer",
                            "expires_in", 300, "id_token", idToken()));
                }
                case "/protocol/openid-connect/userinfo" -> userInfo(exchange);
                default -> send(exchange, 404, "text/plain", "not found");
            }
        } catch (JOSEException e) {
            throw new IOException(e);
        }
    }

    private Map<String, Object> discovery() {
        String base = issuer() + "/protocol/openid-connect";
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer());
        doc.put("authorization_endpoint", base + "/auth");
        doc.put("token_endpoint", base + "/token");
        doc.put("userinfo_endpoint", base + "/userinfo");
        doc.put("jwks_uri", base + "/certs");
        doc.put("end_session_endpoint", base + "/logout");
        return doc;
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = OidcClient.query(exchange.getRequestURI());
        lastNonce = query.get("nonce");
        String location = query.get("redirect_uri") + "?code=hostile-code&state="
                + URLEncoder.encode(query.get("state"), StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
    }

    private String idToken() throws JOSEException {
        Answer a = answer;
        long now = System.currentTimeMillis();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(a.iss() != null ? a.iss() : issuer())
                .audience(a.aud() != null ? a.aud() : CLIENT_ID)
                .subject("f:hostile:" + a.idNat())
                .issueTime(new Date(now - 5_000))
                .expirationTime(new Date(now + a.expOffsetSeconds() * 1000))
                .claim("nonce", a.nonce() != null ? a.nonce() : lastNonce)
                .claim("SubjectNameID", a.idNat())
                .claim("preferred_username", a.idNat());
        if (a.acr() != null) {
            claims.claim("acr", a.acr());
        }
        if (a.authMode() != null) {
            claims.claim("authMode", a.authMode());
        }
        return switch (a.signing()) {
            case PUBLISHED_KEY -> sign(claims.build(), key);
            case FOREIGN_KEY_SAME_KID -> sign(claims.build(), foreignKey);
            case CLIENT_SECRET_HS256 -> hmac(claims.build(), CLIENT_SECRET);
            case OTHER_SECRET_HS256 -> hmac(claims.build(), "another-secret-another-secret-0123456789");
            case NONE -> new PlainJWT(claims.build()).serialize();
        };
    }

    private void userInfo(HttpExchange exchange) throws IOException, JOSEException {
        Answer a = answer;
        String idNat = a.userInfoIdNat() != null ? a.userInfoIdNat() : a.idNat();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", "f:hostile:" + a.idNat());
        claims.put("SubjectNameID", idNat);
        claims.put("given_name", "Hostile");
        claims.put("family_name", "Peer");
        if (a.email() != null) {
            claims.put("email", a.email());
        }
        claims.put("SubjectRefPro", Map.of("exercices", List.of(Map.of("codeProfession", "60",
                "activities", List.of(Map.of("numeroFinessSite", "750712184",
                        "identifiantTechniqueDeLaStructure", "F750712184"))))));
        a.userInfoFields().forEach((field, value) -> {
            if (value == null) {
                claims.remove(field);
            } else {
                claims.put(field, value);
            }
        });
        if (!a.userInfoAsJwt()) {
            json(exchange, claims);
            return;
        }
        JWTClaimsSet.Builder jwt = new JWTClaimsSet.Builder().issuer(issuer())
                .audience(a.userInfoAud() != null ? a.userInfoAud() : CLIENT_ID);
        claims.forEach(jwt::claim);
        send(exchange, 200, "application/jwt", sign(jwt.build(), a.userInfoForeignKey() ? foreignKey : key));
    }

    private static String sign(JWTClaimsSet claims, RSAKey with) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    private static String hmac(JWTClaimsSet claims, String secret) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static void json(HttpExchange exchange, Object body) throws IOException {
        send(exchange, 200, "application/json",
                new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(body));
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
