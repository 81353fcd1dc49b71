package fr.hcbroker.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import fr.hcbroker.gateway.identity.HeaderContract;
import fr.hcbroker.loa.Level;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the gateway's YAML file into a validated {@link GatewayConfig}; errors name the field.
 * Secrets are never in the file: it names the environment variable that holds each one.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    public static GatewayConfig load(Path file, Function<String, String> environment) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file + ": expected a YAML mapping at the top level");
        }
        return parse(root, file.toString(), environment);
    }

    static GatewayConfig parse(JsonNode root, String where, Function<String, String> environment) {
        known(root, where, "listen", "publicUrl", "oidc", "session", "trustedProxies", "upstreamTimeoutSeconds", "audit",
                "routes", "management", "connections");
        JsonNode listen = root.path("listen");
        known(listen, where + ": listen", "host", "port");
        String host = listen.path("host").asText("0.0.0.0");
        int port = listen.path("port").asInt(8000);
        if (port < 0 || port > 65535) {
            throw new ConfigException(where + ": listen.port must be 0-65535, got " + listen.path("port"));
        }
        URI publicUrl = httpUrl(required(root, "publicUrl", where), where + ": publicUrl");
        if (publicUrl.getRawPath() != null && !publicUrl.getRawPath().isEmpty() && !publicUrl.getRawPath().equals("/")) {
            throw new ConfigException(where + ": publicUrl must have no path (the gateway owns its origin), got " + publicUrl);
        }
        GatewayConfig.OidcConfig oidc = oidc(root.path("oidc"), where + ": oidc", environment);
        JsonNode sessionNode = root.path("session");
        known(sessionNode, where + ": session", "idleMinutes", "absoluteMinutes", "cluster");
        GatewayConfig.SessionConfig session = new GatewayConfig.SessionConfig(
                Duration.ofMinutes(positive(sessionNode, "idleMinutes", 30, where + ": session")),
                Duration.ofMinutes(positive(sessionNode, "absoluteMinutes", 600, where + ": session")),
                sessionNode.has("cluster") ? cluster(sessionNode.get("cluster"), where + ": session.cluster", environment)
                        : null);
        Set<String> trusted = new HashSet<>();
        values(root, "trustedProxies", where).forEach(p -> trusted.add(ipLiteral(p, where + ": trustedProxies")));
        Duration upstreamTimeout = Duration.ofSeconds(positive(root, "upstreamTimeoutSeconds", 30, where));
        JsonNode auditNode = root.path("audit");
        known(auditNode, where + ": audit", "dir", "groupCommitMillis", "syslog", "onWriteFailure", "refusals",
                "emergencyReview", "complianceReport");
        int groupCommit = positive(auditNode, "groupCommitMillis", 50, where + ": audit");
        if (groupCommit > 1000) {
            throw new ConfigException(where + ": audit.groupCommitMillis must be at most 1000, got " + groupCommit);
        }
        GatewayConfig.Syslog syslog = null;
        if (auditNode.has("syslog")) {
            JsonNode node = auditNode.get("syslog");
            known(node, where + ": audit.syslog", "host", "port", "tls");
            int syslogPort = positive(node, "port", 6514, where + ": audit.syslog");
            syslog = new GatewayConfig.Syslog(required(node, "host", where + ": audit.syslog"), syslogPort,
                    node.path("tls").asBoolean(true));
        }
        JsonNode mode = auditNode.path("onWriteFailure");
        String onWriteFailure = mode.isMissingNode() ? "refuse" : mode.isTextual() ? mode.asText() : String.valueOf(mode);
        if (!onWriteFailure.equals("refuse") && !onWriteFailure.equals("serve")) {
            throw new ConfigException(where + ": audit.onWriteFailure must be refuse or serve, got '" + onWriteFailure + "'");
        }
        GatewayConfig.AuditConfig audit = new GatewayConfig.AuditConfig(
                Path.of(auditNode.path("dir").asText("audit")), Duration.ofMillis(groupCommit), syslog,
                GatewayConfig.OnWriteFailure.valueOf(onWriteFailure.toUpperCase(java.util.Locale.ROOT)),
                auditNode.has("emergencyReview") ? emergencyReview(auditNode.get("emergencyReview"),
                        where + ": audit.emergencyReview") : null,
                auditNode.has("complianceReport") ? complianceReport(auditNode.get("complianceReport"),
                        where + ": audit.complianceReport") : null);

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
            if (route.idleTimeout() != null && route.idleTimeout().compareTo(session.idleTimeout()) >= 0) {
                // The session would end first: the lock would never apply, and the admin would believe it does.
                throw new ConfigException(where + ": routes[" + i + "].idleMinutes (" + route.idleTimeout().toMinutes()
                        + ") must be shorter than session.idleMinutes (" + session.idleTimeout().toMinutes() + ")");
            }
            routes.add(route);
        }
        GatewayConfig.Management management = null;
        if (root.has("management")) {
            JsonNode node = root.get("management");
            known(node, where + ": management", "host", "port");
            int managementPort = node.path("port").asInt(-1);
            if (managementPort < 0 || managementPort > 65535 || (managementPort != 0 && managementPort == port)) {
                throw new ConfigException(where + ": management.port must be 0-65535 and not listen.port, got "
                        + node.path("port"));
            }
            management = new GatewayConfig.Management(node.path("host").asText("127.0.0.1"), managementPort);
        }
        return new GatewayConfig(host, port, publicUrl, oidc, session, trusted, upstreamTimeout, audit, routes, management,
                connections(root.path("connections"), where + ": connections"),
                refusals(auditNode.path("refusals"), where + ": audit.refusals"));
    }

    private static GatewayConfig.OidcConfig oidc(JsonNode node, String where, Function<String, String> environment) {
        if (!node.isObject()) {
            throw new ConfigException(where + " is required");
        }
        known(node, where, "issuer", "clientId", "clientSecretEnv", "discoveryUrl");
        URI issuer = httpUrl(required(node, "issuer", where), where + ".issuer");
        String clientId = required(node, "clientId", where);
        String secretVariable = required(node, "clientSecretEnv", where);
        String secret = environment.apply(secretVariable);
        if (secret == null || secret.isBlank()) {
            throw new ConfigException(where + ".clientSecretEnv: environment variable " + secretVariable + " is not set");
        }
        URI discovery = node.hasNonNull("discoveryUrl") ? httpUrl(node.get("discoveryUrl").asText(), where + ".discoveryUrl")
                : null;
        return new GatewayConfig.OidcConfig(issuer, clientId, secret, discovery);
    }

    private static GatewayConfig.Cluster cluster(JsonNode node, String where, Function<String, String> environment) {
        if (!node.isObject()) {
            throw new ConfigException(where + " must be a mapping (name, bind, members, owners)");
        }
        known(node, where, "name", "bind", "members", "jgroupsFile", "owners", "secretEnv");
        java.net.InetSocketAddress bind = hostPort(required(node, "bind", where), where + ".bind");
        List<java.net.InetSocketAddress> members = new ArrayList<>();
        values(node, "members", where).forEach(m -> members.add(hostPort(m, where + ".members")));
        Path jgroupsFile = node.hasNonNull("jgroupsFile") ? Path.of(node.get("jgroupsFile").asText()) : null;
        if (jgroupsFile == null && members.isEmpty()) {
            throw new ConfigException(where + ".members must list every node's host:port (or set jgroupsFile)");
        }
        if (jgroupsFile != null && !java.nio.file.Files.isReadable(jgroupsFile)) {
            throw new ConfigException(where + ".jgroupsFile: cannot read " + jgroupsFile);
        }
        int highest = 65535 - GatewayConfig.Cluster.FAILURE_DETECTION_OFFSET;
        if (jgroupsFile == null && bind.getPort() > highest) {
            throw new ConfigException(where + ".bind: port must be at most " + highest + " (failure detection listens"
                    + " at the port + " + GatewayConfig.Cluster.FAILURE_DETECTION_OFFSET + "), got " + bind.getPort());
        }
        int owners = positive(node, "owners", 2, where);
        if (owners < 2) {
            throw new ConfigException(where + ".owners must be at least 2 (a node that dies takes its only copy along), got "
                    + owners);
        }
        String secret = null;
        if (jgroupsFile == null) {
            String variable = required(node, "secretEnv", where);
            secret = environment.apply(variable);
            if (secret == null || secret.length() < 24) {
                throw new ConfigException(where + ".secretEnv: environment variable " + variable
                        + " must hold the nodes' shared secret (at least 24 characters)");
            }
        }
        return new GatewayConfig.Cluster(node.path("name").asText("hc-gateway"), bind.getHostString(), bind.getPort(),
                members, owners, jgroupsFile, secret);
    }

    private static java.net.InetSocketAddress hostPort(String value, String where) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new ConfigException(where + " must be host:port, got '" + value + "'");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(where + " must be host:port, got '" + value + "'", e);
        }
        if (port < 1 || port > 65535) {
            throw new ConfigException(where + ": port must be 1-65535, got '" + value + "'");
        }
        return java.net.InetSocketAddress.createUnresolved(value.substring(0, colon), port);
    }

    /** A true/false key, false when absent; anything else is refused, not guessed at. */
    private static boolean flag(JsonNode node, String key, String where) {
        JsonNode value = node.path(key);
        if (!value.isMissingNode() && !value.isBoolean()) {
            throw new ConfigException(where + "." + key + " must be true or false, got '" + value.asText() + "'");
        }
        return value.asBoolean(false);
    }

    private static RouteConfig route(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new ConfigException(where + " must be a mapping (id, path, upstream, ...)");
        }
        known(node, where, "id", "host", "path", "upstream", "minLevel", "publicPaths", "requiredRoles", "professions",
                "headers", "caseSensitive", "idleMinutes", "emergency", "banner");
        known(node.path("headers"), where + ".headers", "rename", "drop");
        String id = required(node, "id", where);
        if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new ConfigException(where + ".id must be 1-64 letters, digits, '.', '_' or '-', got '" + id + "'");
        }
        String path = node.path("path").asText("/");
        if (!path.startsWith("/")) {
            throw new ConfigException(where + ".path must start with '/', got '" + path + "'");
        }
        URI upstream = httpUrl(required(node, "upstream", where), where + ".upstream");
        if (!(upstream.getRawPath() == null || upstream.getRawPath().isEmpty() || upstream.getRawPath().equals("/"))
                || upstream.getRawQuery() != null || upstream.getRawFragment() != null) {
            // The request's own path goes to the app as it is: a path here would be silently ignored.
            throw new ConfigException(where + ".upstream must be an origin (scheme, host, port) without a path, got '"
                    + upstream + "'");
        }
        Level minLevel = Level.SUBSTANTIAL;
        if (node.hasNonNull("minLevel")) {
            String acr = node.get("minLevel").asText();
            minLevel = Level.fromAcr(acr).orElseThrow(() -> new ConfigException(
                    where + ".minLevel must be eidas1, eidas2 or eidas3, got '" + acr + "'"));
        }
        List<String> publicPaths = new ArrayList<>();
        values(node, "publicPaths", where).forEach(p -> {
            if (!p.startsWith("/")) {
                throw new ConfigException(where + ".publicPaths entries must start with '/', got '" + p + "'");
            }
            publicPaths.add(p);
        });
        Map<String, String> renamed = new HashMap<>();
        JsonNode rename = node.path("headers").path("rename");
        if (!rename.isMissingNode() && !rename.isObject()) {
            throw new ConfigException(where + ".headers.rename must be a mapping (contract header: new name)");
        }
        rename.fields().forEachRemaining(e -> {
            requireContractHeader(e.getKey(), where + ".headers.rename");
            if (!e.getValue().asText().matches("[A-Za-z0-9_-]{1,64}")) {
                throw new ConfigException(where + ".headers.rename." + e.getKey() + " is not a header name: '"
                        + e.getValue().asText() + "'");
            }
            renamed.put(HeaderContract.canonical(e.getKey()), e.getValue().asText());
        });
        Set<String> dropped = new LinkedHashSet<>();
        values(node.path("headers"), "drop", where + ".headers").forEach(h -> {
            requireContractHeader(h, where + ".headers.drop");
            dropped.add(HeaderContract.canonical(h));
        });
        String host = node.hasNonNull("host") ? hostName(node.get("host").asText(), where + ".host") : null;
        Duration idle = node.has("idleMinutes") ? Duration.ofMinutes(whole(node, "idleMinutes", where)) : null;
        return new RouteConfig(id, host, path, upstream, minLevel, publicPaths,
                new HashSet<>(values(node, "requiredRoles", where)), new HashSet<>(values(node, "professions", where)),
                renamed, dropped, flag(node, "caseSensitive", where), idle, flag(node, "emergency", where),
                flag(node, "banner", where));
    }

    /**
     * A host name as the Host header carries it without a port, lower case, no final dot: a host with
     * a port or a scheme would never match, and a route meant to be stricter would silently not apply.
     */
    private static String hostName(String value, String where) {
        String host = value.toLowerCase(java.util.Locale.ROOT);
        host = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (!host.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
            throw new ConfigException(where + " must be a host name without scheme or port, got '" + value + "'");
        }
        return host;
    }

    /**
     * An IP address, in the form the peer's address is compared in ({@code ::1} and
     * {@code 0:0:0:0:0:0:0:1} are one address). Ranges and host names are refused: they would never
     * match, and the proxy's headers would silently not be believed.
     */
    private static String ipLiteral(String value, String where) {
        boolean v4 = value.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = value.contains(":") && value.matches("[0-9A-Fa-f:.]+");
        if (v4 || v6) {
            try {
                // A literal: no name lookup happens.
                return java.net.InetAddress.getByName(value).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                // not an address after all: refused below
            }
        }
        throw new ConfigException(where + " entries must be IP addresses (no ranges, no host names), got '" + value + "'");
    }

    private static void requireContractHeader(String name, String where) {
        if (HeaderContract.canonical(name) == null) {
            throw new ConfigException(where + ": '" + name + "' is not a header of the contract (X-HC-User, X-HC-IdNat, ...)");
        }
    }

    /**
     * Refuses a key the gateway does not read: a misspelt {@code minlevel} or {@code requiredRole} would
     * otherwise load as no requirement at all, and the route would be open to every logged-in person.
     */
    private static void known(JsonNode node, String where, String... keys) {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new ConfigException(where + " must be a mapping");
        }
        List<String> allowed = List.of(keys);
        node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw new ConfigException(where + ": unknown key '" + name + "' (known: " + String.join(", ", allowed) + ")");
            }
        });
    }

    /**
     * A list of plain values; one value alone stands for a list of it. Anything else (a mapping, a list
     * of lists) is refused rather than read as an empty list, which for roles would mean "anyone".
     */
    private static List<String> values(JsonNode node, String field, String where) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (value.isValueNode()) {
            return List.of(value.asText());
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : value) {
            if (!value.isArray() || !item.isValueNode() || item.isNull()) {
                throw new ConfigException(where + "." + field + " must be a list of values, got " + value);
            }
            values.add(item.asText());
        }
        return values;
    }

    private static URI httpUrl(String value, String where) {
        try {
            URI uri = new URI(value);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new ConfigException(where + " must be an http(s) URL with a host, got '" + value + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(where + " is not a URL: " + e.getMessage(), e);
        }
    }

    /**
     * A whole positive number written as one: {@code "5"}, {@code 2.5} or {@code 0} are refused rather
     * than read as some other number of minutes (a lock meant for 2.5 minutes must not become 2 or none).
     */
    private static int whole(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (!value.isInt() || value.asInt() <= 0) {
            throw new ConfigException(where + "." + field + " must be a whole positive number of minutes, got " + value);
        }
        return value.asInt();
    }

    private static int positive(JsonNode node, String field, int fallback, String where) {
        if (!node.has(field)) {
            return fallback;
        }
        int value = node.get(field).asInt(-1);
        if (value <= 0) {
            throw new ConfigException(where + "." + field + " must be a positive number, got " + node.get(field));
        }
        return value;
    }

    private static String required(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new ConfigException(where + "." + field + " is required");
        }
        return value.asText();
    }

    /** The {@code connections} section: each bound at least 1 and at most an hour (a cap at most a million). */
    static GatewayConfig.Connections connections(JsonNode node, String where) {
        known(node, where, "headTimeoutSeconds", "bodyTimeoutSeconds", "idleTimeoutSeconds", "maxPerClient");
        GatewayConfig.Connections defaults = GatewayConfig.Connections.DEFAULTS;
        int head = bounded(node, "headTimeoutSeconds", (int) defaults.headTimeout().toSeconds(), 3600, where);
        int body = bounded(node, "bodyTimeoutSeconds", (int) defaults.bodyTimeout().toSeconds(), 3600, where);
        int idle = bounded(node, "idleTimeoutSeconds", (int) defaults.idleTimeout().toSeconds(), 3600, where);
        int cap = bounded(node, "maxPerClient", defaults.maxPerClient(), 1_000_000, where);
        return new GatewayConfig.Connections(Duration.ofSeconds(head), Duration.ofSeconds(body), Duration.ofSeconds(idle), cap);
    }

    /** The {@code audit.emergencyReview} section: at least one trail directory; 1 to 366 days (default 90). */
    private static GatewayConfig.EmergencyReview emergencyReview(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new ConfigException(where + " must be a mapping (trails, role, days)");
        }
        known(node, where, "trails", "role", "days");
        List<Path> trails = trails(node, where);
        String role = role(node, "hc-security-officer", where);
        int days = positive(node, "days", 90, where);
        if (days > 366) {
            throw new ConfigException(where + ".days must be at most 366, got " + days);
        }
        return new GatewayConfig.EmergencyReview(role, trails, days);
    }

    /** The {@code audit.complianceReport} section: at least one trail directory. */
    private static GatewayConfig.ComplianceReport complianceReport(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new ConfigException(where + " must be a mapping (trails, role, realm, key)");
        }
        known(node, where, "trails", "role", "realm", "key");
        return new GatewayConfig.ComplianceReport(role(node, "hc-it-admin", where), trails(node, where), values(node, "realm", where).stream().map(Path::of).toList(),
                node.hasNonNull("key") ? Path.of(node.get("key").asText()) : null);
    }

    /** A gateway page's audit directories: one at least. */
    private static List<Path> trails(JsonNode node, String where) {
        List<Path> trails = values(node, "trails", where).stream().map(Path::of).toList();
        if (trails.isEmpty()) {
            throw new ConfigException(where + ".trails must list the directories of the audit files to read");
        }
        return trails;
    }

    /** A gateway page's role: a realm role's name, or client:role. */
    private static String role(JsonNode node, String fallback, String where) {
        String role = node.path("role").asText(fallback);
        if (!role.matches("[A-Za-z0-9._:-]{1,128}")) {
            throw new ConfigException(where + ".role must be a role name (or client:role), got '" + role + "'");
        }
        return role;
    }

    /** The {@code audit.refusals} section: a threshold of 1 to 10 000, a window of 1 s to an hour. */
    static GatewayConfig.Refusals refusals(JsonNode node, String where) {
        known(node, where, "threshold", "windowSeconds");
        GatewayConfig.Refusals defaults = GatewayConfig.Refusals.DEFAULTS;
        int threshold = bounded(node, "threshold", defaults.threshold(), 10_000, where);
        int window = bounded(node, "windowSeconds", (int) defaults.window().toSeconds(), 3600, where);
        return new GatewayConfig.Refusals(threshold, Duration.ofSeconds(window));
    }

    private static int bounded(JsonNode node, String field, int fallback, int max, String where) {
        int value = positive(node, field, fallback, where);
        if (value > max) {
            throw new ConfigException(where + "." + field + " must be at most " + max + ", got " + value);
        }
        return value;
    }
}
