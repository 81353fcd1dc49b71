package fr.hcbroker.gateway.config;

import fr.hcbroker.loa.Level;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One route: requests whose host (if set) and path prefix match go to {@code upstream}.
 *
 * @param id              stable identifier, used as the assertion audience and in audit records
 * @param host            virtual host to match, or null for any
 * @param pathPrefix      path prefix to match, starting with {@code /}
 * @param upstream        the legacy app's base URL
 * @param minLevel        level a session needs (step-up below it); eidas2 unless set
 * @param publicPaths     path prefixes served without login (identity headers still stripped)
 * @param requiredRoles   the session must hold one of these realm or client roles (empty: no rule)
 * @param professions     the session must hold one of these profession codes (empty: no rule)
 * @param renamedHeaders  contract header name → the name this app reads (e.g. X-HC-User → REMOTE_USER)
 * @param droppedHeaders  contract headers this app must not receive
 */
public record RouteConfig(String id, String host, String pathPrefix, URI upstream, Level minLevel,
                          List<String> publicPaths, Set<String> requiredRoles, Set<String> professions,
                          Map<String, String> renamedHeaders, Set<String> droppedHeaders) {

    public RouteConfig {
        publicPaths = List.copyOf(publicPaths);
        requiredRoles = Set.copyOf(requiredRoles);
        professions = Set.copyOf(professions);
        renamedHeaders = Map.copyOf(renamedHeaders);
        droppedHeaders = Set.copyOf(droppedHeaders);
    }

    public boolean matches(String requestHost, String path) {
        if (host != null && !host.equalsIgnoreCase(requestHost)) {
            return false;
        }
        return underPrefix(path, pathPrefix);
    }

    public boolean isPublic(String path) {
        for (String prefix : publicPaths) { // every request asks: no stream
            if (underPrefix(path, prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The header names this app could mistake for identity: every renamed name, stripped on the way in. */
    public Set<String> identityHeaderNames() {
        return renamedHeaders.isEmpty() ? Set.of() : Set.copyOf(renamedHeaders.values());
    }

    private static boolean underPrefix(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
    }
}
