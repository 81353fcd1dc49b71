package fr.hcbroker.keycloak.psc;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.keycloak.http.simple.SimpleHttp;
import org.keycloak.http.simple.SimpleHttpResponse;
import org.keycloak.models.KeycloakSession;

/**
 * Fetches PSC's discovery document and keeps it for a while: providers are created for every
 * request, the document changes rarely, and PSC should not be asked at each login.
 */
final class PscDiscovery {

    private static final Duration TTL = Duration.ofMinutes(15);

    private record Cached(PscEndpoints endpoints, PscSettings settings, Instant fetched) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    PscEndpoints resolve(KeycloakSession session, PscSettings settings) {
        String url = settings.discoveryUrl();
        Cached cached = cache.get(url);
        if (cached != null && cached.settings.equals(settings) && cached.fetched.plus(TTL).isAfter(Instant.now())) {
            return cached.endpoints;
        }
        JsonNode document;
        try (SimpleHttpResponse response = SimpleHttp.create(session).doGet(url).acceptJson().asResponse()) {
            if (response.getStatus() != 200) {
                throw new PscRefusedException(PscRefusal.UNAVAILABLE,
                        "discovery document " + url + " answered HTTP " + response.getStatus());
            }
            document = response.asJson();
        } catch (IOException e) {
            throw new PscRefusedException(PscRefusal.UNAVAILABLE, "cannot fetch discovery document " + url, e);
        }
        PscEndpoints endpoints = PscEndpoints.from(document, settings);
        cache.put(url, new Cached(endpoints, settings, Instant.now()));
        return endpoints;
    }
}
