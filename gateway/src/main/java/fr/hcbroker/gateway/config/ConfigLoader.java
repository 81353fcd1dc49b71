package fr.hcbroker.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads the gateway's YAML file into a validated {@link GatewayConfig}; errors name the field. */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    public static GatewayConfig load(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file + ": expected a YAML mapping at the top level");
        }
        return parse(root, file.toString());
    }

    static GatewayConfig parse(JsonNode root, String where) {
        JsonNode listen = root.path("listen");
        String host = listen.path("host").asText("0.0.0.0");
        int port = listen.path("port").asInt(8000);
        if (port < 1 || port > 65535) {
            throw new ConfigException(where + ": listen.port must be 1-65535, got " + listen.path("port"));
        }
        JsonNode routesNode = root.path("routes");
        if (!routesNode.isArray() || routesNode.isEmpty()) {
            throw new ConfigException(where + ": routes must be a non-empty list");
        }
        List<RouteConfig> routes = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < routesNode.size(); i++) {
            RouteConfig route = route(routesNode.get(i), where + ": routes[" + i + "]");
            if (!ids.add(route.id())) {
                throw new ConfigException(where + ": routes[" + i + "].id '" + route.id() + "' is used twice");
            }
            routes.add(route);
        }
        return new GatewayConfig(host, port, routes);
    }

    private static RouteConfig route(JsonNode node, String where) {
        String id = required(node, "id", where);
        String path = node.path("path").asText("/");
        if (!path.startsWith("/")) {
            throw new ConfigException(where + ".path must start with '/', got '" + path + "'");
        }
        URI upstream;
        try {
            upstream = new URI(required(node, "upstream", where));
        } catch (URISyntaxException e) {
            throw new ConfigException(where + ".upstream is not a URL: " + e.getMessage(), e);
        }
        if (!"http".equals(upstream.getScheme()) && !"https".equals(upstream.getScheme()) || upstream.getHost() == null) {
            throw new ConfigException(where + ".upstream must be an http(s) URL with a host, got '" + upstream + "'");
        }
        Set<String> identityHeaders = new HashSet<>();
        node.path("identityHeaders").forEach(h -> identityHeaders.add(h.asText()));
        String host = node.hasNonNull("host") ? node.get("host").asText() : null;
        return new RouteConfig(id, host, path, upstream, identityHeaders);
    }

    private static String required(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new ConfigException(where + "." + field + " is required");
        }
        return value.asText();
    }
}
