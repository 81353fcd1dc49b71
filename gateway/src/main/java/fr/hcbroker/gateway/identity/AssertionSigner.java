package fr.hcbroker.gateway.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signed identity assertion {@code X-HC-Assertion} (ES256, DESIGN.md §5) and the JWKS apps
 * verify it with. Keys rotate; the previous key stays published so assertions in flight verify.
 * An assertion is reused for the same session and route while it has over half its life left, so
 * signing (the costly part) happens about once per 30 s per session and route, not per request.
 */
public final class AssertionSigner {

    static final Duration LIFETIME = Duration.ofSeconds(60);
    private static final Duration ROTATION = Duration.ofHours(12);

    private record Signed(String jwt, Instant reuseUntil) {
    }

    private final String issuer;
    private final Clock clock;
    private final Map<String, Signed> recent = new ConcurrentHashMap<>();
    private volatile ECKey current;
    private volatile ECKey previous;
    private volatile Instant rotatedAt;

    public AssertionSigner(String issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
        this.current = newKey();
        this.rotatedAt = clock.instant();
    }

    public String assertion(Session session, RouteConfig route) {
        Instant now = clock.instant();
        rotateIfDue(now);
        String key = session.correlation() + '|' + route.id();
        Signed cached = recent.get(key);
        if (cached != null && now.isBefore(cached.reuseUntil())) {
            return cached.jwt();
        }
        Signed fresh = new Signed(sign(session, route, now), now.plus(LIFETIME.dividedBy(2)));
        recent.put(key, fresh);
        return fresh.jwt();
    }

    /** Drops reusable assertions that may no longer be reused (called periodically). */
    public void forgetExpired() {
        Instant now = clock.instant();
        recent.values().removeIf(s -> !now.isBefore(s.reuseUntil()));
    }

    public String jwks() {
        ECKey prev = previous;
        List<com.nimbusds.jose.jwk.JWK> keys = prev == null
                ? List.of(current.toPublicJWK()) : List.of(current.toPublicJWK(), prev.toPublicJWK());
        return new JWKSet(keys).toString(true);
    }

    private String sign(Session session, RouteConfig route, Instant now) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(route.id())
                .subject(session.username())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)))
                .jwtID(UUID.randomUUID().toString())
                .claim("idnat", session.idNat())
                .claim("rpps", HeaderContract.rpps(session.idNat()))
                .claim("given_name", session.givenName())
                .claim("family_name", session.familyName())
                .claim("email", session.email())
                .claim("profession", session.professions())
                .claim("structure", session.structures())
                .claim("roles", HeaderContract.rolesFor(session, route))
                .claim("acr", session.level().acr())
                .claim("amr", session.amr())
                .claim("sid", session.correlation())
                .build();
        ECKey key = current;
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the identity assertion", e);
        }
        return jwt.serialize();
    }

    private void rotateIfDue(Instant now) {
        if (now.isAfter(rotatedAt.plus(ROTATION))) {
            synchronized (this) {
                if (now.isAfter(rotatedAt.plus(ROTATION))) {
                    previous = current;
                    current = newKey();
                    rotatedAt = now;
                }
            }
        }
    }

    private static ECKey newKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
                    .keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("P-256 key generation failed", e);
        }
    }
}
