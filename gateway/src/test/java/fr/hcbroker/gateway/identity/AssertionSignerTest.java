package fr.hcbroker.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.session.InfinispanSessionStore;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.loa.Level;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The identity assertion: reused up to 30 s per session and route, and only for the same session value")
class AssertionSignerTest {

    private final Vertx vertx = Vertx.vertx();
    private final InfinispanSessionStore keys = new InfinispanSessionStore(vertx,
            new GatewayConfig.SessionConfig(Duration.ofMinutes(30), Duration.ofHours(10), null));
    private final AtomicLong millis = new AtomicLong(1_800_000_000_000L);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    };
    private final AssertionSigner signer = new AssertionSigner("https://gateway.test", clock, keys);
    private final RouteConfig route = new RouteConfig("dpi", null, "/", URI.create("http://127.0.0.1:1"), Level.SUBSTANTIAL,
            List.of(), Set.of(), Set.of(), Map.of(), Set.of(), false);

    @AfterEach
    void stop() {
        keys.close();
        vertx.close().await();
    }

    @Test
    @DisplayName("reused for the same session and route within 30 s; another route gets its own")
    void reusedWithinItsTime() throws Exception {
        Session session = session("Hélène");
        String first = signer.assertion(session, route);
        millis.addAndGet(29_000);
        assertThat(signer.assertion(session, route)).isSameAs(first);
        RouteConfig other = new RouteConfig("labo", null, "/labo", URI.create("http://127.0.0.1:1"), Level.SUBSTANTIAL,
                List.of(), Set.of(), Set.of(), Map.of(), Set.of(), false);
        assertThat(SignedJWT.parse(signer.assertion(session, other)).getJWTClaimsSet().getAudience()).containsExactly("labo");
    }

    @Test
    @DisplayName("never served past 30 s: unused for 30 s, the next request gets a new one at once")
    void neverPastItsReuse() throws Exception {
        Session session = session("Hélène");
        String first = signer.assertion(session, route);
        millis.addAndGet(30_000);
        String later = signer.assertion(session, route);
        assertThat(later).isNotEqualTo(first);
        assertThat(issuedAt(later)).isEqualTo(issuedAt(first).plusSeconds(30));
    }

    @Test
    @DisplayName("a changed session (a refresh) gets its own assertion at once, never the old one's")
    void aChangedSessionIsNeverServedTheOldOne() throws Exception {
        Session before = session("Hélène");
        String first = signer.assertion(before, route);
        millis.addAndGet(5_000);
        Session after = session("Hélène-Marie");
        String refreshed = signer.assertion(after, route);
        assertThat(refreshed).isNotEqualTo(first);
        assertThat(SignedJWT.parse(refreshed).getJWTClaimsSet().getStringClaim("given_name")).isEqualTo("Hélène-Marie");
        assertThat(signer.assertion(after, route)).isSameAs(refreshed);
    }

    @Test
    @DisplayName("signed ES256 with the key the JWKS publishes, checked by the JDK's own verifier; no private part published")
    void verifiesWithThePublishedKey() throws Exception {
        SignedJWT jwt = SignedJWT.parse(signer.assertion(session("Hélène"), route));
        com.nimbusds.jose.jwk.JWKSet published = com.nimbusds.jose.jwk.JWKSet.parse(signer.jwks());
        com.nimbusds.jose.jwk.ECKey key = published.getKeyByKeyId(jwt.getHeader().getKeyID()).toECKey();
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(com.nimbusds.jose.JWSAlgorithm.ES256);
        assertThat(key.isPrivate()).isFalse();
        assertThat(signer.jwks()).doesNotContain("\"d\"");
        // The JDK's provider verifies what Bouncy Castle signed: apps need nothing of ours.
        java.security.Signature jdk = java.security.Signature.getInstance("SHA256withECDSAinP1363Format", "SunEC");
        jdk.initVerify(key.toECPublicKey());
        jdk.update(jwt.getSigningInput());
        assertThat(jdk.verify(jwt.getSignature().decode())).isTrue();
        // A signature of another key, or another payload, is refused.
        SignedJWT other = SignedJWT.parse(new AssertionSigner("https://gateway.test", clock, keys).assertion(session("Hélène"), route));
        assertThat(other.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(key))).isFalse();
        jdk.initVerify(key.toECPublicKey());
        jdk.update(other.getSigningInput());
        assertThat(jdk.verify(jwt.getSignature().decode())).isFalse();
    }

    private static Instant issuedAt(String jwt) throws Exception {
        return SignedJWT.parse(jwt).getJWTClaimsSet().getIssueTime().toInstant();
    }

    private static Session session(String givenName) {
        return new Session("corr-1", "sub-1", "sid-1", "u", "810002813839", givenName, "Lefèvre", null, List.of("60"),
                List.of(), Set.of("medecin"), Level.SUBSTANTIAL, List.of("pwd", "otp"), 1_800_000_000L);
    }
}
