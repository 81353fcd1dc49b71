package fr.hcbroker.gateway.session;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Set;

/**
 * The gateway's two cookies, read and written here only, for both lanes: the session's, and the
 * login's (binds login attempts to the browser that started them: a random value, shared by its tabs).
 * On https, {@code __Host-} binds them to this exact origin (browsers accept it only with Secure).
 */
public final class SessionCookies {

    /**
     * The gateway's reading of a browser's Cookie headers: its session id and the header the app gets
     * (null: no cookie left).
     */
    public record Read(String sessionId, String forApp) {
    }

    private final String session;
    private final String login;
    private final boolean secure;
    private final Set<String> names;

    public SessionCookies(boolean https) {
        this.session = https ? "__Host-hc_session" : "hc_session";
        this.login = https ? "__Host-hc_login" : "hc_login";
        this.secure = https;
        this.names = Set.of(session, login);
    }

    /** The gateway's cookies' names: no app may set them, and no app sees them. */
    public Set<String> names() {
        return names;
    }

    /** The browser's {@code Cookie} headers read: the session id, and what the app gets. */
    public Read read(List<String> cookieHeaders) {
        return new Read(value(cookieHeaders.isEmpty() ? null : cookieHeaders.get(0), session), withoutOwn(cookieHeaders));
    }

    /** The session id a request carries, or null. */
    public String sessionId(HttpServerRequest request) {
        return value(request.getHeader(HttpHeaderNames.COOKIE), session);
    }

    /** The login cookie's value a request carries, or null. */
    public String loginValue(HttpServerRequest request) {
        return value(request.getHeader(HttpHeaderNames.COOKIE), login);
    }

    public Cookie session(String id) {
        return Cookie.cookie(session, id).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.LAX).setSecure(secure);
    }

    /** The session cookie, removed from the browser. */
    public Cookie sessionEnded() {
        return session("").setMaxAge(0);
    }

    /** The login cookie, for the ten minutes a login may take. */
    public Cookie login(String browser) {
        return Cookie.cookie(login, browser).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.LAX)
                .setSecure(secure).setMaxAge(600);
    }

    /**
     * As Vert.x's {@code HttpServerRequest#getCookie} reads it: the first {@code Cookie} header, strictly
     * decoded; an empty value is none.
     */
    static String value(String cookieHeader, String name) {
        if (cookieHeader == null) {
            return null;
        }
        // decodeAll: the same pairs in order, without the sorted set decode() builds (the first of a name wins in both).
        for (io.netty.handler.codec.http.cookie.Cookie cookie : ServerCookieDecoder.STRICT.decodeAll(cookieHeader)) {
            if (cookie.name().equals(name)) {
                return cookie.value().isEmpty() ? null : cookie.value();
            }
        }
        return null;
    }

    /**
     * The browser's Cookie headers without the gateway's cookies (the app never sees them): the other
     * pairs, trimmed, joined with "; " into one header; null when none is left. Pairs are found by
     * index rather than split and trimmed copies.
     */
    public String withoutOwn(List<String> cookies) {
        StringBuilder kept = new StringBuilder();
        for (String header : cookies) {
            for (int start = 0; start <= header.length(); ) {
                int end = header.indexOf(';', start);
                end = end < 0 ? header.length() : end;
                int from = trimStart(header, start, end);
                int to = trimEnd(header, from, end);
                if (from < to && !isOwn(header, from, to)) {
                    kept.append(kept.isEmpty() ? "" : "; ").append(header, from, to);
                }
                start = end + 1;
            }
        }
        return kept.isEmpty() ? null : kept.toString();
    }

    /** Whether the pair in {@code header[from, to)} is named (trimmed, any case) as one of the gateway's cookies. */
    private boolean isOwn(String header, int from, int to) {
        int eq = header.indexOf('=', from);
        int nameEnd = trimEnd(header, from, eq < 0 || eq > to ? to : eq);
        return named(header, from, nameEnd, session) || named(header, from, nameEnd, login);
    }

    private static boolean named(String header, int from, int to, String name) {
        return to - from == name.length() && header.regionMatches(true, from, name, 0, name.length());
    }

    /** As {@link String#trim}: characters up to space are trimmed. */
    private static int trimStart(String s, int from, int to) {
        while (from < to && s.charAt(from) <= ' ') {
            from++;
        }
        return from;
    }

    private static int trimEnd(String s, int from, int to) {
        while (to > from && s.charAt(to - 1) <= ' ') {
            to--;
        }
        return to;
    }
}
