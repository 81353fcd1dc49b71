package fr.hcbroker.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Locale;

/**
 * An app that is down answers 502 with a page; one that hangs past the timeout, 504. The same page
 * for plain requests ({@link Forwarder}) and WebSocket upgrades (this interceptor on vertx-http-proxy).
 */
final class UpstreamErrors implements ProxyInterceptor {

    private final Access access;

    /** @param access the upgrade's access, told of the app's failure (its record: "upstream error") */
    UpstreamErrors(Access access) {
        this.access = access;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        return context.sendRequest().recover(failure -> {
            int status = timedOut(failure) ? 504 : 502;
            access.failed(status);
            boolean english = Refusal.english(context.request().proxiedRequest().getHeader("accept-language"));
            ProxyResponse response = context.request().response()
                    .setStatusCode(status)
                    .putHeader("content-type", "text/html; charset=utf-8")
                    .putHeader("cache-control", "no-store")
                    .putHeader("content-language", english ? "en" : "fr")
                    .setBody(Body.body(Buffer.buffer(Pages.html(Refusal.upstream(status), english, null))));
            return Future.succeededFuture(response);
        });
    }

    static boolean timedOut(Throwable failure) {
        return String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")
                || failure.getClass().getSimpleName().contains("Timeout");
    }

    /** The page, through {@link Pages} like the gateway's other pages, in the browser's language. */
    static void send(HttpServerRequest request, int status) {
        Pages.send(request.response(), Refusal.upstream(status), Refusal.english(request.getHeader("accept-language")), null);
    }

    /** The page as a whole Netty answer, for {@link FastLane}. */
    static io.netty.handler.codec.http.FullHttpResponse nettyPage(int status, String acceptLanguage) {
        return Pages.response(Refusal.upstream(status), Refusal.english(acceptLanguage));
    }
}
