package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.policy.Decision;
import fr.hcbroker.gateway.policy.Policy;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import java.util.List;

/**
 * The route a request belongs to, read the two ways app servers read paths: as written (Linux
 * servers, servlet containers) and folded as Windows and IIS read it (any letter case unless the
 * route is case-sensitive, trailing dots and spaces and NTFS streams dropped, {@link RequestPaths#folded}).
 * The request goes to the folded reading's route ({@code /PHARMACY/x} to the {@code /pharmacy} route),
 * and when the other reading names another route, or the same route with another path, it must satisfy
 * that one's policy as well: a request is never served under a weaker route than either reading gives.
 *
 * @param index      the route's position in the list it was chosen from
 * @param route      where the request goes: the folded reading's route
 * @param path       the folded reading
 * @param alsoUnder  the route of the path as written when it differs from {@code route} or from
 *                   {@code path}'s reading, else null
 * @param asWritten  the path as written (as {@link RequestPaths#forMatching} gives it)
 */
record RouteChoice(int index, RouteConfig route, String path, RouteConfig alsoUnder, String asWritten)
        implements Admission.Target {

    /** The route for this host and path ({@link RequestPaths#forMatching}), or null when none serves it. */
    static RouteChoice of(List<RouteConfig> routes, String host, String matching) {
        String folded = RequestPaths.folded(matching);
        int target = first(routes, host, folded, true);
        // The common case, a path folding changes nothing whose route matched in its own case: one scan.
        int exact = folded == matching && target >= 0 && routes.get(target).matches(host, matching, false)
                ? target : first(routes, host, matching, false);
        if (target < 0) {
            return exact < 0 ? null : new RouteChoice(exact, routes.get(exact), matching, null, matching);
        }
        RouteConfig also = exact >= 0 && (exact != target || !folded.equals(matching)) ? routes.get(exact) : null;
        return new RouteChoice(target, routes.get(target), folded, also, matching);
    }

    private static int first(List<RouteConfig> routes, String host, String path, boolean anyCase) {
        for (int i = 0; i < routes.size(); i++) { // a loop: a stream per request costs more
            if (routes.get(i).matches(host, path, anyCase)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The policy's decision, the stricter of both readings' when they differ: a refusal over a
     * step-up over a login over an allow.
     */
    Decision decide(Session session) {
        Decision decision = Policy.decide(route, path, session);
        if (alsoUnder == null) {
            return decision;
        }
        Decision other = Policy.decide(alsoUnder, asWritten, session);
        return rank(other) > rank(decision) ? other : decision;
    }

    /**
     * The idle lock in milliseconds ({@link Long#MAX_VALUE}: none): the shorter of both readings' routes,
     * so a path no reading serves more loosely than the other.
     */
    long idleLockMillis() {
        long lock = lockOf(route);
        return alsoUnder == null ? lock : Math.min(lock, lockOf(alsoUnder));
    }

    private static long lockOf(RouteConfig route) {
        return route.idleTimeout() == null ? Long.MAX_VALUE : route.idleTimeout().toMillis();
    }

    /** Whether the path is public under both readings' routes (no login, so no lock). */
    boolean isPublic() {
        return route.isPublic(path) && (alsoUnder == null || alsoUnder.isPublic(asWritten));
    }

    /** Whether both readings' routes take emergency sessions ({@code emergency: true}). */
    boolean takesEmergency() {
        return route.emergency() && (alsoUnder == null || alsoUnder.emergency());
    }

    /** The level a login or step-up asks for: enough for both readings' routes. */
    Level minLevel() {
        return alsoUnder == null || route.minLevel().atLeast(alsoUnder.minLevel()) ? route.minLevel() : alsoUnder.minLevel();
    }

    private static int rank(Decision decision) {
        return switch (decision.outcome()) {
            case ALLOW -> 0;
            case LOGIN -> 1;
            case STEP_UP -> 2;
            case DENY -> 3;
        };
    }

    /**
     * The gateway's own namespaces, in either reading and any letter case ({@code /.HC/x},
     * {@code /.hc./x}): no app may answer under them, whatever follows.
     */
    static boolean reserved(String matching) {
        return ownNamespace(matching) || ownNamespace(RequestPaths.folded(matching));
    }

    private static boolean ownNamespace(String path) {
        return under(path, "/.hc") || under(path, "/.well-known/hc-broker");
    }

    private static boolean under(String path, String prefix) {
        return path.regionMatches(true, 0, prefix, 0, prefix.length())
                && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }
}
