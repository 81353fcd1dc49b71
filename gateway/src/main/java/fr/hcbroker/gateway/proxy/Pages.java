package fr.hcbroker.gateway.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's own pages: short, in the person's language only (French unless their browser prefers
 * English), no external resource, saying what to do next.
 */
final class Pages {

    private Pages() {
    }

    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

    /**
     * The refusal's page with its status. {@code detail} fills the text's {@code %s} (the policy's
     * reason); {@code english}: see {@link Refusal#english}.
     */
    static void send(HttpServerResponse response, Refusal refusal, boolean english, String detail) {
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.setStatusCode(refusal.status())
                .putHeader("content-type", "text/html; charset=utf-8")
                .putHeader("cache-control", "no-store")
                .putHeader("content-language", english ? "en" : "fr")
                // Never framed: a page of ours inside another site's frame could be used to trick a click.
                .putHeader("content-security-policy", CSP)
                .end(html(refusal, english, detail));
    }

    /** A notice (a logout, a cancelled login): 200, with its link. */
    static void send(HttpServerResponse response, Notice notice, boolean english) {
        if (response.ended() || response.headWritten()) {
            return;
        }
        Refusal.Text text = notice.text();
        response.setStatusCode(200)
                .putHeader("content-type", "text/html; charset=utf-8")
                .putHeader("cache-control", "no-store")
                .putHeader("content-language", english ? "en" : "fr")
                .putHeader("content-security-policy", CSP)
                .end(page(english, english ? text.titleEn() : text.titleFr(), english ? text.textEn() : text.textFr(),
                        notice.link(), notice.linkText(english)));
    }

    /** The same page as a whole Netty answer, for {@link FastLane}. */
    static FullHttpResponse response(Refusal refusal, boolean english) {
        byte[] body = html(refusal, english, null).getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(refusal.status()), Unpooled.wrappedBuffer(body));
        response.headers().set("content-type", "text/html; charset=utf-8").set("cache-control", "no-store")
                .set("content-language", english ? "en" : "fr")
                .set("content-security-policy", CSP).set("content-length", body.length);
        return response;
    }

    static String html(Refusal refusal, boolean english, String detail) {
        Refusal.Text text = refusal.text();
        String title = english ? text.titleEn() : text.titleFr();
        String words = english ? text.textEn() : text.textFr();
        if (words.contains("%s")) {
            words = words.formatted(escape(detail == null ? "" : detail));
        }
        return page(english, title, words, "/", english ? "Home" : "Accueil");
    }

    private static String page(boolean english, String title, String words, String link, String linkText) {
        return """
                <!doctype html>
                <html lang="%s"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
                <title>%s</title><style>body{font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>
                <body><h1>%s</h1><p>%s</p><p><a href="%s">%s</a></p></body></html>
                """.formatted(english ? "en" : "fr", title, title, words, link, linkText);
    }

    /** {@code text} for an HTML text node or a quoted attribute. */
    static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
    }
}
