package fr.hcbroker.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Set;

/** Removes incoming identity headers before anything is sent upstream, WebSocket upgrades included. */
final class StripIdentityHeaders implements ProxyInterceptor {

    private final Set<String> routeIdentityHeaders;

    StripIdentityHeaders(Set<String> routeIdentityHeaders) {
        this.routeIdentityHeaders = routeIdentityHeaders;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        IdentityHeaders.strip(context.request().headers(), routeIdentityHeaders);
        return context.sendRequest();
    }
}
