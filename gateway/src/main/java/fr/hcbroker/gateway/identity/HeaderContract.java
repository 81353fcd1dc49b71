package fr.hcbroker.gateway.identity;

import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.idnat.IdNat;
import fr.hcbroker.idnat.InvalidIdNatException;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
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
            new Header("X-HC-Session", (s, r) -> s.correlation()),
            // Only on an emergency session: the app can show a banner and log it.
            new Header("X-HC-Emergency", (s, r) -> s.emergency() == null ? null : "true"),
            new Header("X-HC-Emergency-Reason", (s, r) -> s.emergency() == null ? null : s.emergency().reason()));

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
        if (routeIdentityHeaders.isEmpty() && isAscii(name)) {
            // Every request passes here with all its headers: no lower-casing copy for plain ASCII names.
            return name.length() >= 5 && (name.charAt(0) | 0x20) == 'x' && dash(name.charAt(1))
                    && (name.charAt(2) | 0x20) == 'h' && (name.charAt(3) | 0x20) == 'c' && dash(name.charAt(4));
        }
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

    private static boolean dash(char c) {
        return c == '-' || c == '_';
    }

    private static boolean isAscii(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Removes every identity header, all duplicates and spellings, from {@code headers}. */
    public static void strip(MultiMap headers, Set<String> routeIdentityHeaders) {
        List<String> doomed = null;
        // The entries, not names(): that builds a sorted set for every request.
        for (Map.Entry<String, String> header : headers) {
            if (isIdentityHeader(header.getKey(), routeIdentityHeaders)) {
                if (doomed == null) {
                    doomed = new ArrayList<>();
                }
                doomed.add(header.getKey());
            }
        }
        if (doomed != null) {
            doomed.forEach(headers::remove);
        }
    }

    /** Sets the session's headers for this route (renamed and dropped per the route). */
    public static void inject(MultiMap headers, Session session, RouteConfig route, String assertion) {
        prepare(session, route, assertion).applyTo(headers);
    }

    /**
     * The headers a session sends to a route, names as the route wants them and values encoded:
     * computed once and reused while the assertion is (see {@link AssertionSigner}).
     */
    public static Prepared prepare(Session session, RouteConfig route, String assertion) {
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (Header header : HEADERS) {
            String value = header.value().apply(session, route);
            if (value != null && !value.isEmpty()) {
                add(names, values, route, header.name(), HeaderValues.encode(value));
            }
        }
        add(names, values, route, ASSERTION, assertion);
        return new Prepared(names.toArray(String[]::new), values.toArray(String[]::new), assertion);
    }

    private static void add(List<String> names, List<String> values, RouteConfig route, String name, String value) {
        if (!route.droppedHeaders().contains(name)) {
            names.add(route.renamedHeaders().getOrDefault(name, name));
            values.add(value);
        }
    }

    /**
     * Identity headers ready to set, and the assertion among them. Also kept as ASCII bytes: the fast
     * lane writes them to the app as they are, where a string is re-checked and copied character by
     * character on every request (the assertion alone is most of a request's head).
     */
    public record Prepared(String[] names, String[] values, String assertion, AsciiString[] wireNames, AsciiString[] wireValues) {

        Prepared(String[] names, String[] values, String assertion) {
            this(names, values, assertion, ascii(names, true), ascii(values, false));
        }

        /** Names come from the configuration, values are encoded: both checked here, once for all. */
        private static AsciiString[] ascii(String[] texts, boolean names) {
            AsciiString[] ascii = new AsciiString[texts.length];
            for (int i = 0; i < texts.length; i++) {
                int invalid = names ? HttpHeaderValidationUtil.validateToken(texts[i])
                        : HttpHeaderValidationUtil.validateValidHeaderValue(texts[i]);
                if (invalid >= 0 || (names && texts[i].isEmpty())) {
                    throw new IllegalArgumentException("not a header " + (names ? "name: " : "value: ") + texts[i]);
                }
                ascii[i] = AsciiString.of(texts[i]);
            }
            return ascii;
        }

        public void applyTo(MultiMap headers) {
            for (int i = 0; i < names.length; i++) {
                headers.set(names[i], values[i]);
            }
        }

        /** The same, on headers that do not check values again (these are checked where made). */
        public void applyTo(HttpHeaders headers) {
            for (int i = 0; i < wireNames.length; i++) {
                headers.set(wireNames[i], wireValues[i]);
            }
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
