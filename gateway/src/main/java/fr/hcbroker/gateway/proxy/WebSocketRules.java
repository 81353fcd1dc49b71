package fr.hcbroker.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.List;
import java.util.Set;

/**
 * What {@link Forwarder} does for plain requests, done for WebSocket upgrades on vertx-http-proxy:
 * the app gets the target in origin-form, and cannot set the gateway's cookies.
 */
final class WebSocketRules implements ProxyInterceptor {

    private final Set<String> ownCookies;

    WebSocketRules(Set<String> ownCookies) {
        this.ownCookies = ownCookies;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        context.request().setURI(RequestPaths.originForm(context.request().getURI()));
        return context.sendRequest();
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
        MultiMap headers = context.response().headers();
        List<String> cookies = headers.getAll("set-cookie");
        headers.remove("set-cookie");
        cookies.stream().filter(value -> !Forwarder.setsCookie(value, ownCookies)).forEach(value -> headers.add("set-cookie", value));
        return context.sendResponse();
    }
}
