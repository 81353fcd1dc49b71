package fr.hcbroker.gateway.identity;

import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.idnat.IdNat;
import fr.hcbroker.idnat.InvalidIdNatException;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The identity headers of DESIGN.md §5, as data: each header and how its value comes from the
 * session. Stripping and injecting use this one list, so any name the gateway sets is a name it
 * removes from incoming requests.
 */
public final class HeaderContract {

    static final String PREFIX = "x-hc-";
    public static final String ASSERTION = "X-HC-Assertion";

    private record Header(String name, BiFunction<Session, RouteConfig, String> value) {
    }

    private static final List<Header> HEADERS = List.of(
            new Header("X-HC-User", (s, r) -> s.username()),
            new Header("X-HC-IdNat", (s, r) -> s.idNat()),
            new Header("X-HC-RPPS", (s, r) -> rpps(s.idNat())),
            new Header("X-HC-Given-Name", (s, r) -> s.givenName()),
            new Header("X-HC-Family-Name", (s, r) -> s.familyName()),
            new Header("X-HC-Email", (s, r) -> s.email()),
            new Header("X-HC-Profession", (s, r) -> join(s.professions())),
            new Header("X-HC-Structure", (s, r) -> join(s.structures())),
            new Header("X-HC-Roles", (s, r) -> join(rolesFor(s, r))),
            new Header("X-HC-LoA", (s, r) -> s.level().acr()),
            new Header("X-HC-AMR", (s, r) -> join(s.amr())),
            new Header("X-HC-Session", (s, r) -> s.correlation()));

    private static final Map<String, String> CANONICAL = names();

    private HeaderContract() {
    }

    private static Map<String, String> names() {
        Map<String, String> names = new java.util.HashMap<>();
        HEADERS.forEach(h -> names.put(normalize(h.name()), h.name()));
        names.put(normalize(ASSERTION), ASSERTION);
        return Map.copyOf(names);
    }

    /** The contract's spelling of a header name, or null if it is not one of ours. */
    public static String canonical(String name) {
        return CANONICAL.get(normalize(name));
    }

    /** Names compare without case and with {@code _} equal to {@code -} (CGI/WSGI-style apps). */
    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether an incoming header could be mistaken for one the gateway sets on this route. */
    public static boolean isIdentityHeader(String name, Set<String> routeIdentityHeaders) {
        String n = normalize(name);
        if (n.startsWith(PREFIX)) {
            return true;
        }
        for (String configured : routeIdentityHeaders) {
            if (normalize(configured).equals(n)) {
                return true;
            }
        }
        return false;
    }

    /** Removes every identity header, all duplicates and spellings, from {@code headers}. */
    public static void strip(MultiMap headers, Set<String> routeIdentityHeaders) {
        List<String> doomed = new ArrayList<>();
        for (String name : headers.names()) {
            if (isIdentityHeader(name, routeIdentityHeaders)) {
                doomed.add(name);
            }
        }
        doomed.forEach(headers::remove);
    }

    /** Sets the session's headers for this route (renamed and dropped per the route). */
    public static void inject(MultiMap headers, Session session, RouteConfig route, String assertion) {
        for (Header header : HEADERS) {
            String value = header.value().apply(session, route);
            if (value != null && !value.isEmpty()) {
                set(headers, route, header.name(), HeaderValues.encode(value));
            }
        }
        set(headers, route, ASSERTION, assertion);
    }

    private static void set(MultiMap headers, RouteConfig route, String name, String value) {
        if (!route.droppedHeaders().contains(name)) {
            headers.set(route.renamedHeaders().getOrDefault(name, name), value);
        }
    }

    /** Roles granted for the route: those it requires when it names some, else all. */
    static List<String> rolesFor(Session session, RouteConfig route) {
        return session.roles().stream()
                .filter(role -> route.requiredRoles().isEmpty() || route.requiredRoles().contains(role))
                .sorted().toList();
    }

    static String rpps(String idNat) {
        if (idNat == null) {
            return null;
        }
        try {
            return IdNat.parse(idNat).rpps().orElse(null);
        } catch (InvalidIdNatException e) {
            return null;
        }
    }

    private static String join(List<String> values) {
        return values.stream().collect(Collectors.joining(","));
    }
}
