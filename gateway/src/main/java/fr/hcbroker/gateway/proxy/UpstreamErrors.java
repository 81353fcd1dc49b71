package fr.hcbroker.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Locale;

/** An app that is down answers 502 with a page; one that hangs past the timeout, 504. */
final class UpstreamErrors implements ProxyInterceptor {

    private final java.util.function.BiConsumer<io.vertx.core.http.HttpServerRequest, Integer> recorder;

    /** @param recorder told of each upstream failure (audit: "upstream error"); not awaited */
    UpstreamErrors(java.util.function.BiConsumer<io.vertx.core.http.HttpServerRequest, Integer> recorder) {
        this.recorder = recorder;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        return context.sendRequest().recover(failure -> {
            boolean timeout = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")
                    || failure.getClass().getSimpleName().contains("Timeout");
            int status = timeout ? 504 : 502;
            recorder.accept(context.request().proxiedRequest(), status);
            String html = """
                    <!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Application indisponible</title></head>
                    <body><h1>Application indisponible</h1><p>%s</p><p lang="en">%s</p></body></html>
                    """.formatted(
                    timeout ? "L'application ne répond pas à temps. Réessayez dans un instant ; si cela persiste, prévenez le support informatique."
                            : "L'application est injoignable. Réessayez dans un instant ; si cela persiste, prévenez le support informatique.",
                    timeout ? "The application did not answer in time." : "The application cannot be reached.");
            ProxyResponse response = context.request().response()
                    .setStatusCode(status)
                    .putHeader("content-type", "text/html; charset=utf-8")
                    .putHeader("cache-control", "no-store")
                    .setBody(Body.body(Buffer.buffer(html)));
            return Future.succeededFuture(response);
        });
    }
}
