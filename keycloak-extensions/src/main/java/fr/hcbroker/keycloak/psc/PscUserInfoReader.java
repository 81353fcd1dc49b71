package fr.hcbroker.keycloak.psc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Locale;
import java.util.Set;
import org.keycloak.http.simple.SimpleHttp;
import org.keycloak.http.simple.SimpleHttpResponse;
import org.keycloak.models.KeycloakSession;

/**
 * Reads PSC's userinfo, which is JSON or, depending on the registration, a signed JWT
 * (DESIGN.md §3). The JWT is verified with Nimbus JOSE+JWT against PSC's published keys (or, for
 * HS256, the client secret), and must name PSC as issuer and this client as audience. Anything
 * else (an encrypted or unsigned answer, another content type) is refused: fail closed.
 */
final class PscUserInfoReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);

    private final KeycloakSession session;
    private final org.apache.http.client.HttpClient http;
    private final String issuer;
    private final String clientId;
    private final String clientSecret;
    private final String jwksUrl;

    PscUserInfoReader(KeycloakSession session, org.apache.http.client.HttpClient http, String issuer, String clientId,
                      String clientSecret, String jwksUrl) {
        this.session = session;
        this.http = http;
        this.issuer = issuer;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.jwksUrl = jwksUrl;
    }

    JsonNode read(String userInfoUrl, String accessToken) {
        try (SimpleHttpResponse response = SimpleHttp.create(http).doGet(userInfoUrl)
                .header("Authorization", "Bearer " + accessToken).asResponse()) {
            if (response.getStatus() != 200) {
                throw refused("userinfo answered HTTP " + response.getStatus());
            }
            String contentType = String.valueOf(response.getFirstHeader("Content-Type")).toLowerCase(Locale.ROOT);
            String body = response.asString();
            if (contentType.startsWith("application/json")) {
                return JSON.readTree(body);
            }
            if (contentType.startsWith("application/jwt")) {
                return JSON.readTree(JSONObjectUtils.toJSONString(verify(body.trim()).toJSONObject()));
            }
            throw refused("userinfo has unsupported content type " + contentType);
        } catch (IOException e) {
            throw new PscRefusedException(PscRefusal.USERINFO_INVALID, "userinfo unreadable", e);
        }
    }

    private JWTClaimsSet verify(String token) throws IOException {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw refused("userinfo is not a signed JWT (encrypted or malformed answers are not accepted)");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        if (HMAC.contains(alg)) {
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(alg,
                    new ImmutableSecret<>(clientSecret.getBytes(StandardCharsets.UTF_8))));
        } else if (ASYMMETRIC.contains(alg)) {
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ASYMMETRIC, new ImmutableJWKSet<>(keys())));
        } else {
            throw refused("userinfo JWT algorithm " + alg + " is not accepted");
        }
        // PSC's userinfo JWT carries no exp of its own: iss and aud are what bind it to this login.
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(clientId,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of()));
        try {
            return processor.process(jwt, null);
        } catch (BadJOSEException | JOSEException e) {
            throw new PscRefusedException(PscRefusal.USERINFO_INVALID, "userinfo JWT rejected: " + e.getMessage(), e);
        }
    }

    private JWKSet keys() throws IOException {
        try (SimpleHttpResponse response = SimpleHttp.create(session).doGet(jwksUrl).acceptJson().asResponse()) {
            if (response.getStatus() != 200) {
                throw refused("PSC keys answered HTTP " + response.getStatus());
            }
            return JWKSet.parse(response.asString());
        } catch (ParseException e) {
            throw refused("PSC keys are not a JWK set");
        }
    }

    private static PscRefusedException refused(String reason) {
        return new PscRefusedException(PscRefusal.USERINFO_INVALID, reason);
    }
}
