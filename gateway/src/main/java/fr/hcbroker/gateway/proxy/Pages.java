package fr.hcbroker.gateway.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

/** The gateway's own pages: short, French first, no external resource, saying what to do next. */
final class Pages {

    private Pages() {
    }

    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

    static void send(HttpServerResponse response, int status, String titleFr, String textFr, String textEn) {
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("content-type", "text/html; charset=utf-8")
                .putHeader("cache-control", "no-store")
                // Never framed: a page of ours inside another site's frame could be used to trick a click.
                .putHeader("content-security-policy", CSP)
                .end(html(titleFr, textFr, textEn));
    }

    /** The same page as a whole Netty answer, for {@link FastLane}. */
    static FullHttpResponse response(int status, String titleFr, String textFr, String textEn) {
        byte[] body = html(titleFr, textFr, textEn).getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        response.headers().set("content-type", "text/html; charset=utf-8").set("cache-control", "no-store")
                .set("content-security-policy", CSP).set("content-length", body.length);
        return response;
    }

    private static String html(String titleFr, String textFr, String textEn) {
        return """
                <!doctype html>
                <html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
                <title>%s</title><style>body{font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>
                <body><h1>%s</h1><p>%s</p><p lang="en">%s</p><p><a href="/">Accueil / Home</a></p></body></html>
                """.formatted(titleFr, titleFr, textFr, textEn);
    }
}
