package fr.hcbroker.gateway.config;

import java.util.List;

/**
 * The gateway's whole configuration, parsed and validated once at start ({@link ConfigLoader}).
 *
 * @param listenHost address to bind
 * @param listenPort port to bind (8000 by default)
 * @param routes     routes, matched in order: the first whose host and path prefix match wins
 */
public record GatewayConfig(String listenHost, int listenPort, List<RouteConfig> routes) {

    public GatewayConfig {
        routes = List.copyOf(routes);
    }
}
