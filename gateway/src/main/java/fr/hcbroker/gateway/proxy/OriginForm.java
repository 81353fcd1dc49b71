package fr.hcbroker.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/** WebSocket upgrades reach the app in origin-form too, as plain requests do ({@link Forwarder}). */
final class OriginForm implements ProxyInterceptor {

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        context.request().setURI(RequestPaths.originForm(context.request().getURI()));
        return context.sendRequest();
    }
}
