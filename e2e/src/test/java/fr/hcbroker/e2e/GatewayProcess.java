package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway of a test's own, as the real process of its runnable jar (not the stack's): for tests
 * that kill it or start it with JVM settings of their own. Its OIDC issuer may be dead: requests
 * that need no login work without Keycloak.
 */
final class GatewayProcess {

    private GatewayProcess() {
    }

    /** Starts the gateway on {@code port} with {@code config} and waits for {@code /healthz}. */
    static Process start(Path config, Path log, int port, List<String> jvmFlags) throws Exception {
        return start(config, log, port, jvmFlags, "not-used-without-keycloak");
    }

    /** As above, with the gateway client's secret in the environment variable SECRET. */
    static Process start(Path config, Path log, int port, List<String> jvmFlags, String secret) throws Exception {
        // SIGHUP (configuration reload) back to its default: a test run started under nohup would pass its
        // "ignored" on, and the JVM leaves an ignored SIGHUP alone.
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=HUP",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", System.getProperty("hc.gateway.jar"), "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SECRET", secret);
        Process process = builder.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            assertThat(process.isAlive()).as("gateway running (log %s)", log).isTrue();
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("gateway not up within 60 s: " + Files.readString(log));
    }

    /** A configuration with one route to {@code upstreamPort}, public under /public, and a dead issuer. */
    /**
     * For tests that count refusals record by record: past 20 a minute from one address (every test
     * client is 127.0.0.1) the gateway would summarise them (docs/en/audit.md).
     */
    static final String ONE_BY_ONE = ", refusals: {threshold: 10000}";

    static String config(int port, Path auditDir, int upstreamPort, String auditExtra) throws IOException {
        return """
                listen: {host: 127.0.0.1, port: %d}
                publicUrl: http://127.0.0.1:%d
                oidc: {issuer: http://127.0.0.1:%d/realms/hospiconnect, clientId: hc-gateway, clientSecretEnv: SECRET}
                audit: {dir: %s, groupCommitMillis: 50%s}
                routes:
                  - {id: app, path: /, upstream: "http://127.0.0.1:%d", publicPaths: [/public]}
                """.formatted(port, port, freePort(), auditDir, auditExtra, upstreamPort);
    }

    private static final java.util.Set<Integer> CLUSTER_PORTS_HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A free port below 15536 whose +50 000 twin is free too: JGroups' failure detection (FD_SOCK2)
     * listens at that offset, for Keycloak's cluster and the gateways' alike. Never the same port twice
     * in a run: two nodes handed ports before either starts must not get one port.
     */
    static int freeClusterPort() throws IOException {
        int start = 10_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(5000);
        for (int port = start; port < 15_500; port++) {
            if (CLUSTER_PORTS_HANDED_OUT.contains(port)) {
                continue; // given to a node that has not bound it yet
            }
            try (ServerSocket main = new ServerSocket(port); ServerSocket twin = new ServerSocket(port + 50_000)) {
                CLUSTER_PORTS_HANDED_OUT.add(port);
                return port;
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IOException("no free port pair from " + start);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
