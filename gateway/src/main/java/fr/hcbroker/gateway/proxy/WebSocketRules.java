package fr.hcbroker.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.List;
import java.util.Set;

/**
 * WebSocket upgrades on vertx-http-proxy: the app gets the target in origin-form, and its answer to
 * the handshake passes {@link AnswerPolicy} (vertx-http-proxy itself drops the hop-by-hop headers a
 * 101 does not need). The app's answer to the handshake, or its failure, is the upgrade's
 * {@link Access} outcome: one proxy per upgrade, made with its access (upgrades are rare).
 */
final class WebSocketRules implements ProxyInterceptor {

    private final Set<String> ownCookies;
    private final Access access;

    WebSocketRules(Set<String> ownCookies, Access access) {
        this.ownCookies = ownCookies;
        this.access = access;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        context.request().setURI(RequestPaths.originForm(context.request().getURI()));
        return context.sendRequest();
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
        access.answered(context.response().getStatusCode());
        MultiMap headers = context.response().headers();
        List<String> cookies = headers.getAll("set-cookie");
        headers.remove("set-cookie");
        for (String value : cookies) {
            if (AnswerPolicy.relayed("set-cookie", value, ownCookies, true)) {
                headers.add("set-cookie", value);
            }
        }
        return context.sendResponse();
    }
}
