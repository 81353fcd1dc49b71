package fr.hcbroker.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * An app that is down answers 502 with a page; one that hangs past the timeout, 504. The same page
 * for plain requests ({@link Forwarder}) and WebSocket upgrades (this interceptor on vertx-http-proxy).
 */
final class UpstreamErrors implements ProxyInterceptor {

    private static final String TITLE = "Application indisponible";

    private final BiConsumer<HttpServerRequest, Integer> recorder;

    /** @param recorder told of each upstream failure (audit: "upstream error"); not awaited */
    UpstreamErrors(BiConsumer<HttpServerRequest, Integer> recorder) {
        this.recorder = recorder;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        return context.sendRequest().recover(failure -> {
            int status = timedOut(failure) ? 504 : 502;
            recorder.accept(context.request().proxiedRequest(), status);
            ProxyResponse response = context.request().response()
                    .setStatusCode(status)
                    .putHeader("content-type", "text/html; charset=utf-8")
                    .putHeader("cache-control", "no-store")
                    .setBody(Body.body(Buffer.buffer(page(status))));
            return Future.succeededFuture(response);
        });
    }

    static boolean timedOut(Throwable failure) {
        return String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")
                || failure.getClass().getSimpleName().contains("Timeout");
    }

    /** The page, through {@link Pages} like the gateway's other pages. */
    static void send(HttpServerResponse response, int status) {
        Pages.send(response, status, TITLE, french(status), english(status));
    }

    /** The page as a whole Netty answer, for {@link FastLane}. */
    static io.netty.handler.codec.http.FullHttpResponse nettyPage(int status) {
        return Pages.response(status, TITLE, french(status), english(status));
    }

    private static String page(int status) {
        return """
                <!doctype html><html lang="fr"><head><meta charset="utf-8"><title>%s</title></head>
                <body><h1>%s</h1><p>%s</p><p lang="en">%s</p></body></html>
                """.formatted(TITLE, TITLE, french(status), english(status));
    }

    private static String french(int status) {
        return status == 504
                ? "L'application ne répond pas à temps. Réessayez dans un instant ; si cela persiste, prévenez le support informatique."
                : "L'application est injoignable. Réessayez dans un instant ; si cela persiste, prévenez le support informatique.";
    }

    private static String english(int status) {
        return status == 504 ? "The application did not answer in time." : "The application cannot be reached.";
    }
}
