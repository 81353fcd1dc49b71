package fr.hcbroker.gateway.proxy;

import io.netty.util.AsciiString;
import java.util.Set;

/**
 * What of an app's answer reaches the browser, for every relay ({@link Forwarder}'s plain requests,
 * the {@link FastLane}'s, {@link WebSocketRules}' handshakes): one place, so that a rule added here holds
 * on every path.
 * <ul>
 *   <li>hop-by-hop headers are the app's connection's, not the browser's (kept on a 101: they are the handshake);</li>
 *   <li>the gateway's cookies are its own: an app (any app behind the same origin) that could set them
 *       could put a person in a session it chose;</li>
 *   <li>an answer made for a logged-in person that says nothing of caching gets {@link #PERSONAL};</li>
 *   <li>trailers are not relayed: they are headers too, and would pass unfiltered.</li>
 * </ul>
 */
final class AnswerPolicy {

    private AnswerPolicy() {
    }

    /**
     * What an answer made for a logged-in person gets when its app says nothing of caching (legacy apps
     * rarely do): no shared cache may keep it, and the browser may not store it, so that Back after a
     * logout on a shared workstation does not show the previous person's patient. Style sheets, scripts
     * and fonts get {@code private} only: they name nobody, and reloading them would slow pages. Images
     * do not: a patient's photo or a scanned document is one.
     */
    static final String PERSONAL = "private, no-store";
    static final String ASSETS = "private";
    static final AsciiString PERSONAL_ASCII = AsciiString.cached(PERSONAL);
    static final AsciiString ASSETS_ASCII = AsciiString.cached(ASSETS);

    /**
     * RFC 9110 §7.6.1: meaningful on one connection only (requests and answers alike). A switch rather
     * than a map: it runs for every header of every request and response.
     */
    static boolean hopByHop(CharSequence name) {
        return switch (name.length()) {
            case 2 -> AsciiString.contentEqualsIgnoreCase(name, "te");
            case 7 -> AsciiString.contentEqualsIgnoreCase(name, "upgrade") || AsciiString.contentEqualsIgnoreCase(name, "trailer");
            case 10 -> AsciiString.contentEqualsIgnoreCase(name, "connection") || AsciiString.contentEqualsIgnoreCase(name, "keep-alive");
            case 16 -> AsciiString.contentEqualsIgnoreCase(name, "proxy-connection");
            case 17 -> AsciiString.contentEqualsIgnoreCase(name, "transfer-encoding");
            case 18 -> AsciiString.contentEqualsIgnoreCase(name, "proxy-authenticate");
            case 19 -> AsciiString.contentEqualsIgnoreCase(name, "proxy-authorization");
            default -> false;
        };
    }

    /**
     * Whether the app's header {@code name: value} reaches the browser. {@code upgrade}: the answer to
     * a WebSocket handshake, whose {@code Upgrade} and {@code Connection} are the handshake itself.
     */
    static boolean relayed(CharSequence name, String value, Set<String> ownCookies, boolean upgrade) {
        if (!upgrade && hopByHop(name)) {
            return false;
        }
        return !(name.length() == 10 && AsciiString.contentEqualsIgnoreCase(name, "set-cookie")
                && setsCookie(value, ownCookies));
    }

    /**
     * Whether a {@code Set-Cookie} value sets one of {@code cookies}, as a browser would read it.
     */
    static boolean setsCookie(String setCookie, Set<String> cookies) {
        // A nameless cookie ("=hc_session=id") is stored by browsers and sent back as "hc_session=id".
        String pair = setCookie.strip();
        while (pair.startsWith("=")) {
            pair = pair.substring(1).strip();
        }
        int eq = pair.indexOf('=');
        return cookies.contains((eq < 0 ? pair : pair.substring(0, eq)).trim());
    }

    /**
     * The {@code Cache-Control} the gateway sets on an answer, or null to leave the app's as it is:
     * only on a personal answer ({@code personal}: the request carried a person's identity) whose app
     * set none, and not on a 304 (its headers update the stored answer's, RFC 9111 §4.3.4, and it names
     * no type).
     */
    static AsciiString cacheControl(boolean personal, int status, boolean appSetOne, String contentType) {
        if (!personal || status == 304 || appSetOne) {
            return null;
        }
        return assets(contentType) ? ASSETS_ASCII : PERSONAL_ASCII;
    }

    /** Style sheets, scripts and fonts: they name nobody. */
    static boolean assets(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.strip();
        return startsWithIgnoringCase(type, "font/") || startsWithIgnoringCase(type, "text/css")
                || startsWithIgnoringCase(type, "text/javascript") || startsWithIgnoringCase(type, "application/javascript");
    }

    private static boolean startsWithIgnoringCase(String text, String prefix) {
        return text.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
