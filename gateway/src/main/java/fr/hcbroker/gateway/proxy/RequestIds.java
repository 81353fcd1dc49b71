package fr.hcbroker.gateway.proxy;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's ids of requests ({@code X-HC-Request-Id}, and {@code request_id} in their audit records):
 * 96 random bits drawn once per start, then a counter. Unique across nodes and restarts without a
 * random draw per request (one string per request, no lock); not a secret, so a counter is fine.
 */
final class RequestIds {

    private final String prefix;
    private final AtomicLong next = new AtomicLong();

    RequestIds() {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        this.prefix = Base64.getUrlEncoder().withoutPadding().encodeToString(random) + '.';
    }

    String next() {
        return prefix + Long.toString(next.incrementAndGet(), 36);
    }
}
