package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.config.RouteConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.HttpProxy;
import java.util.ArrayList;
import java.util.List;

/** The gateway's HTTP front: health endpoints, then the first matching route's proxy. */
public final class GatewayServer {

    private record Route(RouteConfig config, HttpProxy proxy) {
    }

    private final Vertx vertx;
    private final GatewayConfig config;
    private final List<Route> routes = new ArrayList<>();
    private HttpServer server;

    public GatewayServer(Vertx vertx, GatewayConfig config) {
        this.vertx = vertx;
        this.config = config;
        HttpClient client = vertx.createHttpClient();
        for (RouteConfig route : config.routes()) {
            int port = route.upstream().getPort() > 0 ? route.upstream().getPort()
                    : "https".equals(route.upstream().getScheme()) ? 443 : 80;
            HttpProxy proxy = HttpProxy.reverseProxy(client)
                    .origin(port, route.upstream().getHost())
                    .addInterceptor(new StripIdentityHeaders(route.identityHeaders()), true);
            routes.add(new Route(route, proxy));
        }
    }

    public Future<HttpServer> start() {
        return vertx.createHttpServer()
                .requestHandler(this::handle)
                .listen(config.listenPort(), config.listenHost())
                .onSuccess(s -> server = s);
    }

    /** The bound port (useful when the configuration asked for port 0). */
    public int port() {
        return server.actualPort();
    }

    public Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest request) {
        if ("/healthz".equals(request.path())) {
            request.response().putHeader("content-type", "text/plain").end("ok\n");
            return;
        }
        for (Route route : routes) {
            if (route.config().matches(request.authority() == null ? null : request.authority().host(), request.path())) {
                route.proxy().handle(request);
                return;
            }
        }
        request.response().setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8")
                .end("No application is configured at this address.\n");
    }
}
