package fr.hcbroker.gateway.proxy;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Path rules that keep route matching and the app's view of a path the same: a path the gateway
 * cannot match unambiguously is refused, and return targets stay on this origin.
 */
public final class RequestPaths {

    /**
     * Dot segments (with path parameters too: Tomcat reads {@code /..;/} as {@code /../}), encoded
     * dots/slashes/backslashes, backslashes and controls mean different paths to different parsers; so
     * do percent-encoded letters, digits, {@code -}, {@code _} and {@code ~}, which no browser encodes
     * and every app decodes ({@code /%61dmin} is {@code /admin} to the app, not to route matching); and
     * overlong UTF-8 ({@code %c0%ae} is a dot to old decoders), which valid text never contains.
     */
    private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)\\.\\.?(;[^/]*)?(/|$)");


    private RequestPaths() {
    }

    /**
     * Runs on the event loop for every request: one scan, the dot-segment pattern only on a path with
     * a dot, and each percent escape judged where it stands (a pattern of every alternative tried at
     * each character of a hostile 8 KB path cost half a millisecond). Refused besides dot segments:
     * a raw backslash, control or {@code #} (servers end the path there, or read it as a separator);
     * {@code ~} before a digit (a Windows short name: {@code /PHARMA~1} is {@code /pharmacy} on IIS);
     * and the escapes of {@link #ambiguousEscape}.
     */
    static boolean ambiguous(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return true;
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '\\' || c < 0x20 || c == 0x7f || c == '#' || c == '%' && ambiguousEscape(rawPath, i)
                    || c == '~' && i + 1 < rawPath.length() && rawPath.charAt(i + 1) >= '0' && rawPath.charAt(i + 1) <= '9') {
                return true;
            }
        }
        return rawPath.indexOf('.') >= 0 && DOT_SEGMENT.matcher(rawPath).find();
    }

    /**
     * Whether the escape at {@code i} is one that some server decodes into another path than route
     * matching sees: a dot, slash or backslash; a control character or DEL ({@code %00} ends the path
     * for C code); {@code ;}, {@code ?} or {@code #}, which a server that decodes before it splits
     * reads as path parameters, query or fragment ({@code /..%3B/pharmacy}); {@code %25} before two hex
     * digits (double encoding: {@code %252E} is a dot to an app that decodes twice); IIS's
     * {@code %u002E}; a letter, digit, {@code -}, {@code _} or {@code ~} (no browser encodes them);
     * overlong UTF-8 ({@code %c0}, {@code %c1}, {@code %e0%8x}/{@code %9x}, {@code %f0%8x}); or a
     * fullwidth form ({@code %EF%BC%8E}, U+FF0E), which Unicode normalisation turns into ASCII.
     */
    private static boolean ambiguousEscape(String path, int i) {
        int b = escaped(path, i);
        if (b < 0) {
            return iisEscape(path, i);
        }
        if (b == '.' || b == '/' || b == '\\' || b < 0x20 || b == 0x7f || b == ';' || b == '?' || b == '#'
                || b == 0xc0 || b == 0xc1
                || b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b == '-' || b == '_' || b == '~') {
            return true;
        }
        if (b == '%') {
            return escaped(path, i + 2) >= 0;
        }
        int next = i + 3 < path.length() && path.charAt(i + 3) == '%' ? escaped(path, i + 3) : -1;
        return b == 0xe0 && (next >> 4 == 8 || next >> 4 == 9) || b == 0xf0 && next >> 4 == 8
                || b == 0xef && (next == 0xbc || next == 0xbd);
    }

    /** IIS's {@code %uXXXX}: a UTF-16 code unit, which only IIS decodes. */
    private static boolean iisEscape(String path, int i) {
        return i + 5 < path.length() && (path.charAt(i + 1) | 0x20) == 'u' && hex(path.charAt(i + 2)) >= 0
                && hex(path.charAt(i + 3)) >= 0 && hex(path.charAt(i + 4)) >= 0 && hex(path.charAt(i + 5)) >= 0;
    }

    /** The byte a {@code %XX} escape at {@code i} stands for, or -1 if there is none. */
    private static int escaped(String path, int i) {
        if (i + 2 >= path.length()) {
            return -1;
        }
        int high = hex(path.charAt(i + 1));
        int low = hex(path.charAt(i + 2));
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    /** An ASCII hex digit's value ({@link Character#digit} also takes other scripts' digits). */
    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /**
     * The path as routes and public paths are matched against it: without path parameters
     * ({@code ;jsessionid=…}) and with repeated slashes merged, as servlet containers and many
     * frameworks read it. Otherwise {@code /admin;x/page} or {@code //admin/page} would miss the
     * {@code /admin} route and reach the same app under a looser one.
     */
    static String forMatching(String path) {
        if (path.indexOf(';') < 0 && !path.contains("//")) {
            return path;
        }
        StringBuilder matched = new StringBuilder(path.length());
        boolean parameters = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/') {
                parameters = false;
                if (matched.length() == 0 || matched.charAt(matched.length() - 1) != '/') {
                    matched.append(c);
                }
            } else if (c == ';') {
                parameters = true;
            } else if (!parameters) {
                matched.append(c);
            }
        }
        return matched.toString();
    }

    /**
     * The path (as {@link #forMatching} gives it) as Windows and IIS read it: each segment cut at a
     * colon (an NTFS stream: {@code /pharmacy::$INDEX_ALLOCATION/x} is the {@code pharmacy}
     * folder) and without its trailing dots and spaces ({@code /pharmacy./x}, {@code /pharmacy%20/x}),
     * a segment left empty dropped. Letter case is the route's matter ({@code RouteConfig#matches}).
     * The same instance when nothing changes, which is every path a browser sends from a link.
     */
    static String folded(String path) {
        if (!needsFolding(path)) {
            return path;
        }
        StringBuilder folded = new StringBuilder(path.length());
        for (int start = 1; start <= path.length(); ) {
            int end = path.indexOf('/', start);
            end = end < 0 ? path.length() : end;
            int colon = path.indexOf(':', start);
            int to = withoutTrailingDotsAndSpaces(path, start, colon >= 0 && colon < end ? colon : end);
            if (to > start) {
                folded.append('/').append(path, start, to);
            }
            start = end + 1;
        }
        if (path.endsWith("/") || folded.isEmpty()) {
            folded.append('/'); // a final slash stays: /pharmacy/ is the route /pharmacy/'s
        }
        return folded.toString();
    }

    /** Whether a segment holds a colon or ends with a dot, a space or {@code %20}. */
    private static boolean needsFolding(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == ':') {
                return true;
            }
            boolean segmentEnd = i + 1 == path.length() || path.charAt(i + 1) == '/';
            if (segmentEnd && (c == '.' || c == ' ' || c == '0' && i >= 2 && path.charAt(i - 1) == '2'
                    && path.charAt(i - 2) == '%')) {
                return true;
            }
        }
        return false;
    }

    private static int withoutTrailingDotsAndSpaces(String path, int from, int to) {
        while (to > from) {
            if (path.charAt(to - 1) == '.' || path.charAt(to - 1) == ' ') {
                to--;
            } else if (to - 3 >= from && path.startsWith("%20", to - 3)) {
                to -= 3;
            } else {
                break;
            }
        }
        return to;
    }

    /**
     * Request headers that servers and frameworks honour as the request's path (IIS and ASP.NET's
     * URL rewrite, Symfony and Zend read {@code X-Original-URL} and {@code X-Rewrite-URL}, Envoy its own),
     * lower case with {@code -}: the app would serve the path they name under the route of the target.
     */
    static final Set<String> PATH_OVERRIDES = Set.of("x-original-url", "x-original-uri", "x-original-path",
            "x-rewrite-url", "x-override-url", "x-envoy-original-path");

    /** Removes the {@link #PATH_OVERRIDES} in any spelling ({@code _} for {@code -}, any case) from a request. */
    static void removePathOverrides(MultiMap headers) {
        List<String> doomed = null;
        for (Map.Entry<String, String> header : headers) { // entries: names() builds a sorted set per request
            String name = header.getKey();
            if (name.length() >= 13 && (name.charAt(0) | 0x20) == 'x' && pathOverride(name)) {
                if (doomed == null) {
                    doomed = new ArrayList<>();
                }
                doomed.add(name);
            }
        }
        if (doomed != null) {
            doomed.forEach(headers::remove);
        }
    }

    private static boolean pathOverride(String name) {
        for (String override : PATH_OVERRIDES) {
            if (sameHeaderName(name, override)) {
                return true;
            }
        }
        return false;
    }

    /** {@code name} equals {@code lower} (lower case, with {@code -}) in any case and with {@code _} for {@code -}. */
    private static boolean sameHeaderName(String name, String lower) {
        if (name.length() != lower.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            char expected = lower.charAt(i);
            if (expected == '-' ? c != '-' && c != '_' : Character.toLowerCase(c) != expected) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the request target names the host the request was routed by. A browser sends the path
     * alone (origin-form); the absolute-form ({@code http://host/path}) is valid HTTP too, but an app
     * would take its host for its own while the gateway routed by the {@code Host} header, so the two
     * must agree.
     */
    static boolean sameHost(String target, String hostHeader) {
        if (target.startsWith("/")) {
            return true;
        }
        int scheme = target.indexOf("://");
        if (scheme < 0 || hostHeader == null) {
            return false;
        }
        int start = scheme + 3;
        return target.substring(start, authorityEnd(target, start)).equalsIgnoreCase(hostHeader);
    }

    /**
     * Whether a request target holds only what a URI may (RFC 3986: visible ASCII, the rest
     * percent-encoded). Raw bytes beyond it (UTF-8 a client left unencoded, controls, DEL) would reach
     * an app re-encoded or as they came, each app reading them its own way: refused.
     */
    static boolean printable(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** The target as the app gets it, in origin-form: its path and query, never a host. */
    static String originForm(String target) {
        if (target.startsWith("/")) {
            return target;
        }
        int scheme = target.indexOf("://");
        int end = scheme < 0 ? 0 : authorityEnd(target, scheme + 3);
        return end == target.length() ? "/" : target.charAt(end) == '/' ? target.substring(end) : "/" + target.substring(end);
    }

    private static int authorityEnd(String target, int start) {
        for (int i = start; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return target.length();
    }

    /**
     * A return target after login or logout: only a path on this origin. Anything else ({@code //evil},
     * {@code /\evil}, schemes, encoded forms, controls) becomes {@code /}.
     */
    public static String safeReturn(String candidate) {
        if (candidate == null || candidate.length() > 2048 || !candidate.startsWith("/") || candidate.startsWith("//")
                || ambiguous(candidate.split("\\?", 2)[0]) || candidate.contains("\\")) {
            return "/";
        }
        String lower = candidate.toLowerCase(Locale.ROOT);
        if (lower.startsWith("/%2f") || lower.startsWith("/%5c") || lower.contains("%0d") || lower.contains("%0a")) {
            return "/";
        }
        return candidate;
    }
}
