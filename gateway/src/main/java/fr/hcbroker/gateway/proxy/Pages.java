package fr.hcbroker.gateway.proxy;

import io.vertx.core.http.HttpServerResponse;

/** The gateway's own pages: short, French first, no external resource, saying what to do next. */
final class Pages {

    private Pages() {
    }

    static void send(HttpServerResponse response, int status, String titleFr, String textFr, String textEn) {
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("content-type", "text/html; charset=utf-8")
                .putHeader("cache-control", "no-store")
                // Never framed: a page of ours inside another site's frame could be used to trick a click.
                .putHeader("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
                .end("""
                        <!doctype html>
                        <html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
                        <title>%s</title><style>body{font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>
                        <body><h1>%s</h1><p>%s</p><p lang="en">%s</p><p><a href="/">Accueil / Home</a></p></body></html>
                        """.formatted(titleFr, titleFr, textFr, textEn));
    }
}
