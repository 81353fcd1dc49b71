package fr.hcbroker.gateway.config;

import fr.hcbroker.loa.Level;
import java.net.URI;
import java.time.Duration;
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
 * @param caseSensitive   the app tells {@code /Dpi} from {@code /dpi}: the route's prefix is matched with
 *                        its letter case (by default without, as IIS and Windows read paths)
 * @param idleTimeout     idle lock: a session idle longer than this authenticates again before this route
 *                        serves it (shared clinical workstations); null: the session's own idle timeout only
 * @param emergency       the app takes emergency ("bris de glace") sessions, at their honest level (eidas1)
 *                        whatever {@code minLevel}; without it such a session is refused here (docs/fr/acces-urgence.md)
 * @param banner          the app's pages get the gateway's banner (who is signed in, "Changer d'utilisateur",
 *                        "Se déconnecter") at the top of their body: shared clinical workstations
 */
public record RouteConfig(String id, String host, String pathPrefix, URI upstream, Level minLevel,
                          List<String> publicPaths, Set<String> requiredRoles, Set<String> professions,
                          Map<String, String> renamedHeaders, Set<String> droppedHeaders, boolean caseSensitive,
                          Duration idleTimeout, boolean emergency, boolean banner) {

    public RouteConfig {
        publicPaths = List.copyOf(publicPaths);
        requiredRoles = Set.copyOf(requiredRoles);
        professions = Set.copyOf(professions);
        renamedHeaders = Map.copyOf(renamedHeaders);
        droppedHeaders = Set.copyOf(droppedHeaders);
        if (idleTimeout != null && (idleTimeout.isZero() || idleTimeout.isNegative())) {
            throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
        }
    }

    /** A route without the banner. */
    public RouteConfig(String id, String host, String pathPrefix, URI upstream, Level minLevel,
                       List<String> publicPaths, Set<String> requiredRoles, Set<String> professions,
                       Map<String, String> renamedHeaders, Set<String> droppedHeaders, boolean caseSensitive,
                       Duration idleTimeout, boolean emergency) {
        this(id, host, pathPrefix, upstream, minLevel, publicPaths, requiredRoles, professions, renamedHeaders,
                droppedHeaders, caseSensitive, idleTimeout, emergency, false);
    }

    /** A route that does not take emergency sessions. */
    public RouteConfig(String id, String host, String pathPrefix, URI upstream, Level minLevel,
                       List<String> publicPaths, Set<String> requiredRoles, Set<String> professions,
                       Map<String, String> renamedHeaders, Set<String> droppedHeaders, boolean caseSensitive,
                       Duration idleTimeout) {
        this(id, host, pathPrefix, upstream, minLevel, publicPaths, requiredRoles, professions, renamedHeaders,
                droppedHeaders, caseSensitive, idleTimeout, false, false);
    }

    /** A route without an idle lock that does not take emergency sessions. */
    public RouteConfig(String id, String host, String pathPrefix, URI upstream, Level minLevel,
                       List<String> publicPaths, Set<String> requiredRoles, Set<String> professions,
                       Map<String, String> renamedHeaders, Set<String> droppedHeaders, boolean caseSensitive) {
        this(id, host, pathPrefix, upstream, minLevel, publicPaths, requiredRoles, professions, renamedHeaders,
                droppedHeaders, caseSensitive, null, false, false);
    }

    /**
     * Whether a request for this host and path is this route's. {@code anyCase}: the path as a server
     * that ignores letter case reads it, which the prefix then matches in any case unless the route is
     * {@link #caseSensitive}.
     */
    public boolean matches(String requestHost, String path, boolean anyCase) {
        if (host != null && !host.equalsIgnoreCase(requestHost)) {
            return false;
        }
        return underPrefix(path, pathPrefix, anyCase && !caseSensitive);
    }

    /** Public paths match only as written, letter case included: a looser reading must not open a path. */
    public boolean isPublic(String path) {
        for (String prefix : publicPaths) { // every request asks: no stream
            if (underPrefix(path, prefix, false)) {
                return true;
            }
        }
        return false;
    }

    /** The header names this app could mistake for identity: every renamed name, stripped on the way in. */
    public Set<String> identityHeaderNames() {
        return renamedHeaders.isEmpty() ? Set.of() : Set.copyOf(renamedHeaders.values());
    }

    private static boolean underPrefix(String path, String prefix, boolean anyCase) {
        int length = prefix.length();
        if (!path.regionMatches(anyCase, 0, prefix, 0, length)) {
            return false;
        }
        // Whole segments only: /pharmacy is not /pharmacyx.
        return path.length() == length || prefix.endsWith("/") || path.charAt(length) == '/';
    }
}
