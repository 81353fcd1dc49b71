package fr.hcbroker.gateway.proxy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Path rules that keep route matching and the app's view of a path the same: a path the gateway
 * cannot match unambiguously is refused, and return targets stay on this origin.
 */
final class RequestPaths {

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
     * each character of a hostile 8 KB path cost half a millisecond).
     */
    static boolean ambiguous(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return true;
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '\\' || c < 0x20 || c == 0x7f || c == '%' && ambiguousEscape(rawPath, i)) {
                return true;
            }
        }
        return rawPath.indexOf('.') >= 0 && DOT_SEGMENT.matcher(rawPath).find();
    }

    /**
     * Whether the escape at {@code i} encodes a dot, a slash, a backslash or NUL; a letter, digit,
     * {@code -}, {@code _} or {@code ~} (no browser encodes them); or starts overlong UTF-8
     * ({@code %c0}, {@code %c1}, {@code %e0%8x}/{@code %9x}, {@code %f0%8x}).
     */
    private static boolean ambiguousEscape(String path, int i) {
        int b = escaped(path, i);
        if (b < 0) {
            return false;
        }
        if (b == '.' || b == '/' || b == '\\' || b == 0 || b == 0xc0 || b == 0xc1
                || b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b == '-' || b == '_' || b == '~') {
            return true;
        }
        int next = i + 3 < path.length() && path.charAt(i + 3) == '%' && i + 4 < path.length()
                ? hex(path.charAt(i + 4)) : -1;
        return b == 0xe0 && (next == 8 || next == 9) || b == 0xf0 && next == 8;
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
    static String safeReturn(String candidate) {
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
