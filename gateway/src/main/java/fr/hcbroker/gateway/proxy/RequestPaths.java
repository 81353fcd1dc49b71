package fr.hcbroker.gateway.proxy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Path rules that keep route matching and the app's view of a path the same: a path the gateway
 * cannot match unambiguously is refused, and return targets stay on this origin.
 */
final class RequestPaths {

    /** Dot segments, encoded dots/slashes/backslashes, backslashes and controls mean different paths to different parsers. */
    private static final Pattern AMBIGUOUS = Pattern.compile("(^|/)\\.\\.?(/|$)|%2e|%2f|%5c|\\\\|%00|[\\x00-\\x1f\\x7f]");

    private RequestPaths() {
    }

    static boolean ambiguous(String rawPath) {
        return rawPath == null || !rawPath.startsWith("/") || AMBIGUOUS.matcher(rawPath.toLowerCase(Locale.ROOT)).find();
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
