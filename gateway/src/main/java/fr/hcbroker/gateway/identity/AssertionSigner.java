package fr.hcbroker.gateway.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.gateway.session.SessionStore;
import java.text.ParseException;
import java.util.ArrayList;
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
 * verify it with. Keys rotate; a key stays published for a rotation period after it was replaced,
 * so assertions in flight verify. Each node has its own private key (it never leaves the node) and
 * publishes the public half through the session store, so every node's JWKS lists every node's keys.
 * An assertion is reused for the same session and route while it has over half its life left, so
 * signing (the costly part: 0.6 ms for ES256 on the benchmark machine's Java 17) happens about once
 * per 30 s per session and route, not per request; the identity headers made with it are reused with
 * it.
 */
public final class AssertionSigner {

    static final Duration LIFETIME = Duration.ofSeconds(60);
    private static final Duration ROTATION = Duration.ofHours(12);

    private record Signed(Session session, RouteConfig route, HeaderContract.Prepared headers, long reuseUntil) {
    }

    private final String issuer;
    private final Clock clock;
    private final Map<String, Signed> recent = new ConcurrentHashMap<>();
    private final SessionStore keys;
    private volatile ECKey current;
    private volatile long rotatedAt;

    public AssertionSigner(String issuer, Clock clock, SessionStore keys) {
        this.issuer = issuer;
        this.clock = clock;
        this.keys = keys;
        this.current = publish(newKey());
        this.rotatedAt = clock.millis();
    }

    public String assertion(Session session, RouteConfig route) {
        return headers(session, route).assertion();
    }

    /**
     * The identity headers for this session and route, with a fresh enough assertion. A cached set
     * serves only the same session value and the same route: a refreshed session or a reloaded
     * route gets new ones.
     */
    public HeaderContract.Prepared headers(Session session, RouteConfig route) {
        long now = clock.millis();
        rotateIfDue(now);
        String key = session.correlation() + '|' + route.id();
        Signed cached = recent.get(key);
        if (cached != null && now < cached.reuseUntil() && cached.route() == route
                && (cached.session() == session || cached.session().equals(session))) {
            return cached.headers();
        }
        Signed fresh = signed(session, route, now);
        recent.put(key, fresh);
        return fresh.headers();
    }

    private Signed signed(Session session, RouteConfig route, long now) {
        return new Signed(session, route, HeaderContract.prepare(session, route, sign(session, route, Instant.ofEpochMilli(now))),
                now + LIFETIME.toMillis() / 2);
    }

    /** Drops reusable assertions that may no longer be reused (called periodically). */
    public void forgetExpired() {
        long now = clock.millis();
        recent.values().removeIf(s -> now >= s.reuseUntil());
    }

    /** Every node's published keys, this node's current one first. */
    public String jwks() {
        List<JWK> all = new ArrayList<>(List.of(current.toPublicJWK()));
        for (String json : keys.publishedKeys()) {
            try {
                JWK key = JWK.parse(json);
                if (!key.getKeyID().equals(current.getKeyID())) {
                    all.add(key);
                }
            } catch (ParseException e) {
                throw new IllegalStateException("a published assertion key does not parse", e);
            }
        }
        return new JWKSet(all).toString(true);
    }

    /** Listed while it signs and for one more rotation period, then dropped by the store. */
    private ECKey publish(ECKey key) {
        keys.publishKey(key.getKeyID(), key.toPublicJWK().toJSONString(), ROTATION.multipliedBy(2).plus(LIFETIME));
        return key;
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
                // Absent (null claims are not serialised) unless the session is an emergency one.
                .claim("emergency", session.emergency() == null ? null : true)
                .claim("emergency_reason", session.emergency() == null ? null : session.emergency().reason())
                .claim("emergency_until", session.emergency() == null ? null : session.emergency().until())
                .build();
        ECKey key = current;
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(signerFor(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the identity assertion", e);
        }
        return jwt.serialize();
    }

    /** A key's JCA signer, made once per key rather than per assertion (it is safe to share). */
    private record KeySigner(String kid, ECDSASigner signer) {
    }

    private volatile KeySigner keySigner;

    private ECDSASigner signerFor(ECKey key) throws JOSEException {
        KeySigner made = keySigner;
        if (made == null || !made.kid().equals(key.getKeyID())) {
            made = new KeySigner(key.getKeyID(), new ECDSASigner(key));
            keySigner = made;
        }
        return made.signer();
    }

    private void rotateIfDue(long now) {
        if (now > rotatedAt + ROTATION.toMillis()) {
            synchronized (this) {
                if (now > rotatedAt + ROTATION.toMillis()) {
                    current = publish(newKey());
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
