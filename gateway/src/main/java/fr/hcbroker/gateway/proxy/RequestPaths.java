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
    private static final Pattern AMBIGUOUS = Pattern.compile("(^|/)\\.\\.?(;[^/]*)?(/|$)|%2e|%2f|%5c|\\\\|%00|[\\x00-\\x1f\\x7f]"
            + "|%(?:[46][1-9a-f]|[57][0-9a]|3[0-9]|2d|5f|7e)|%c[01]|%e0%[89]|%f0%8");

    private RequestPaths() {
    }

    static boolean ambiguous(String rawPath) {
        return rawPath == null || !rawPath.startsWith("/") || AMBIGUOUS.matcher(rawPath.toLowerCase(Locale.ROOT)).find();
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
