package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.oidc.SignOut;
import fr.hcbroker.gateway.session.Session;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The banner a route can put at the top of its app's pages ({@code banner: true}): who is signed in,
 * and the two buttons of a shared clinical workstation, "Changer d'utilisateur" and "Se déconnecter",
 * each a form posting the sign-out token ({@link SignOut}) so that no other page can trigger them.
 *
 * <p>Written into the page rather than framed around it: legacy apps forbid framing and keep their
 * own URLs. Only where it cannot break a page: a whole HTML document (its {@code <body>} tag found
 * outside comments, scripts and styles), uncompressed, of at most {@link #MAX_PAGE} bytes. The banner
 * is ASCII only (other characters as references), so it reads the same whatever the page's charset.
 */
final class Banner {

    /** Pages larger than this are relayed as they come, without the banner (they are not held in memory). */
    static final int MAX_PAGE = 2 * 1024 * 1024;

    private Banner() {
    }

    /** The banner of {@code session}, in French unless the browser prefers English. */
    static String html(Session session, String sessionId, boolean english) {
        String name = session.givenName() != null && session.familyName() != null
                ? session.givenName() + " " + session.familyName() : session.username();
        String token = SignOut.token(sessionId);
        return ("<div id=\"hc-banner\" role=\"region\" aria-label=\"hc-broker\" lang=\"%s\" style=\"all:initial;"
                + "display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center;padding:.3em .8em;background:#000091;"
                + "color:#fff;font:14px/1.4 sans-serif\"><span style=\"all:unset;flex:1\">%s <strong>%s</strong></span>%s%s</div>")
                .formatted(english ? "en" : "fr", english ? "Signed in as" : "Session de", Pages.escape(name),
                        form(SignOut.Kind.SWITCH.path(), token, "hc-banner-switch",
                                english ? "Switch user" : "Changer d'utilisateur"),
                        form(SignOut.Kind.LOGOUT.path(), token, "hc-banner-logout",
                                english ? "Log out" : "Se d\u00e9connecter"))
                .transform(Banner::asciiOnly);
    }

    private static String form(String action, String token, String id, String label) {
        return ("<form method=\"post\" action=\"%s\" style=\"all:unset\"><input type=\"hidden\" name=\"%s\" value=\"%s\">"
                + "<button type=\"submit\" id=\"%s\" style=\"font:inherit;padding:.1em .6em\">%s</button></form>")
                .formatted(action, SignOut.FIELD, token, id, label);
    }

    /**
     * The banner with every character beyond ASCII as a numeric reference: a page in windows-1252 shows
     * it as one in UTF-8 does.
     */
    private static String asciiOnly(String html) {
        StringBuilder out = new StringBuilder(html.length() + 32);
        html.codePoints().forEach(c -> {
            if (c < 0x80) {
                out.append((char) c);
            } else {
                out.append("&#").append(c).append(';');
            }
        });
        return out.toString();
    }

    /**
     * {@code page} with {@code banner} right after its {@code <body ...>} tag, or null when the page
     * has no such tag outside comments, scripts, styles and other raw text (a fragment, a page built by
     * script): then it is relayed unchanged.
     */
    static Buffer into(Buffer page, String banner) {
        byte[] bytes = page.getBytes();
        int at = afterBodyTag(bytes);
        if (at < 0) {
            return null;
        }
        byte[] inserted = banner.getBytes(StandardCharsets.US_ASCII);
        Buffer out = Buffer.buffer(bytes.length + inserted.length);
        out.appendBytes(bytes, 0, at).appendBytes(inserted).appendBytes(bytes, at, bytes.length - at);
        return out;
    }

    /**
     * The offset just past the {@code <body>} start tag, or -1. Scans tags as HTML's tokenizer does for
     * what matters here: comments, and the raw-text elements whose content may hold "&lt;body" without
     * being a tag; attribute values quoted with either quote may hold "&gt;". Bytes, not characters: every
     * charset a legacy page uses (UTF-8, ISO-8859-1, windows-1252) writes markup in ASCII.
     */
    static int afterBodyTag(byte[] page) {
        int i = 0;
        while (i < page.length) {
            if (page[i] != '<') {
                i++;
                continue;
            }
            if (startsWith(page, i, "<!--")) {
                int end = indexOf(page, "-->", i + 4);
                if (end < 0) {
                    return -1;
                }
                i = end + 3;
                continue;
            }
            String name = tagName(page, i + 1);
            if (name.isEmpty()) {
                i++;
                continue;
            }
            int end = tagEnd(page, i + 1 + name.length());
            if (end < 0) {
                return -1;
            }
            if (name.equals("body")) {
                return end + 1;
            }
            if (RAW_TEXT.contains(name)) {
                int close = indexOfIgnoreCase(page, "</" + name, end + 1);
                if (close < 0) {
                    return -1;
                }
                i = close + 2;
                continue;
            }
            i = end + 1;
        }
        return -1;
    }

    /** Elements whose content is text up to their end tag (HTML §13.1.2). */
    private static final java.util.Set<String> RAW_TEXT = java.util.Set.of("script", "style", "textarea", "title",
            "xmp", "iframe", "noembed", "noframes", "noscript", "template", "plaintext");

    /**
     * The start tag's name at {@code from}, lower case, or "" when none (an end tag, a doctype, text):
     * letters, digits and '-' (custom elements), ended by what ends a tag name.
     */
    private static String tagName(byte[] page, int from) {
        if (from >= page.length || !asciiLetter(page[from])) {
            return "";
        }
        int i = from;
        while (i < page.length && (asciiLetter(page[i]) || (page[i] >= '0' && page[i] <= '9') || page[i] == '-')) {
            i++;
        }
        if (i < page.length && !(page[i] == '>' || page[i] == '/' || page[i] == ' ' || page[i] == '\t'
                || page[i] == '\n' || page[i] == '\r' || page[i] == '\f')) {
            return "";
        }
        return new String(page, from, i - from, StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
    }

    private static boolean asciiLetter(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    /** The offset of the {@code >} closing the tag whose attributes begin at {@code from}, quotes respected. */
    private static int tagEnd(byte[] page, int from) {
        byte quote = 0;
        for (int i = from; i < page.length; i++) {
            byte b = page[i];
            if (quote != 0) {
                if (b == quote) {
                    quote = 0;
                }
            } else if (b == '"' || b == '\'') {
                quote = b;
            } else if (b == '>') {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] page, int at, String ascii) {
        if (at + ascii.length() > page.length) {
            return false;
        }
        for (int k = 0; k < ascii.length(); k++) {
            if (page[at + k] != ascii.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] page, String ascii, int from) {
        for (int i = from; i + ascii.length() <= page.length; i++) {
            if (startsWith(page, i, ascii)) {
                return i;
            }
        }
        return -1;
    }

    /** Where {@code lowerAscii} occurs from {@code from}, ASCII letters compared in any case. */
    private static int indexOfIgnoreCase(byte[] page, String lowerAscii, int from) {
        outer:
        for (int i = from; i + lowerAscii.length() <= page.length; i++) {
            for (int k = 0; k < lowerAscii.length(); k++) {
                byte b = page[i + k];
                if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerAscii.charAt(k)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
