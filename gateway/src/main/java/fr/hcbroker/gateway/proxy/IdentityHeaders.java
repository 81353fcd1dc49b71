package fr.hcbroker.gateway.proxy;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The identity headers of DESIGN.md §5. Stripping and injecting use this one definition, so a name
 * the gateway can set is always a name it removes from incoming requests.
 */
public final class IdentityHeaders {

    static final String PREFIX = "x-hc-";

    private IdentityHeaders() {
    }

    /** Header names compare without case and with {@code _} equal to {@code -} (CGI/WSGI-style apps). */
    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether an incoming header could be mistaken for one the gateway sets. */
    static boolean isIdentityHeader(String name, Set<String> routeIdentityHeaders) {
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
}
