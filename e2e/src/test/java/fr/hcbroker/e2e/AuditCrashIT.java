package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's audit trail survives a crash: the real gateway process (its runnable jar) serves a
 * load of refused requests (answered only once their record is durable) and allowed ones (group
 * commit), and is killed with SIGKILL in the middle of it. Every refusal a client received an answer
 * for is in the file; once the gateway restarts (cutting a torn last line, if any), `audit verify`
 * accepts the whole chain. No Keycloak is involved: the refusals need no login.
 */
@DisplayName("Audit trail: kill -9 of the gateway under load")
@Timeout(120)
class AuditCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Process gateway;
    private HttpServer upstream;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void everyAcknowledgedRefusalIsOnDiskAfterAKillAndTheChainVerifies(@TempDir Path dir) throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes());
            exchange.close();
        });
        upstream.start();
        int port = GatewayProcess.freePort();
        Path audit = dir.resolve("audit");
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, GatewayProcess.config(port, audit, upstream.getAddress().getPort(), GatewayProcess.ONE_BY_ONE));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        gateway = GatewayProcess.start(config, dir.resolve("gateway-1.log"), port, List.of());

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> allowed = ConcurrentHashMap.newKeySet();
        AtomicBoolean killed = new AtomicBoolean();
        ExecutorService load = Executors.newFixedThreadPool(12);
        for (int t = 0; t < 12; t++) {
            int thread = t;
            load.submit(() -> {
                for (int i = 0; !killed.get(); i++) {
                    String id = "crash-" + thread + "-" + i + "-" + UUID.randomUUID();
                    boolean refused = i % 2 == 0;
                    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + (refused ? "/app/form" : "/public/page"))).header("x-request-id", id)
                            .timeout(Duration.ofSeconds(5));
                    try {
                        HttpResponse<Void> response = http.send(refused
                                ? request.POST(HttpRequest.BodyPublishers.ofString("a=1")).build()
                                : request.GET().build(), HttpResponse.BodyHandlers.discarding());
                        if (refused && response.statusCode() == 401) {
                            acknowledged.add(id);
                        } else if (!refused && response.statusCode() == 200) {
                            allowed.add(id);
                        }
                    } catch (IOException refusedOrCut) {
                        // the gateway is being killed: that request was never acknowledged
                    }
                }
                return null;
            });
        }
        Thread.sleep(3000);
        gateway.destroyForcibly();          // SIGKILL: no shutdown hook, no final flush
        gateway.waitFor(10, TimeUnit.SECONDS);
        killed.set(true);
        load.shutdown();
        assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(acknowledged).as("refusals answered before the kill").hasSizeGreaterThan(100);
        assertThat(allowed).as("allowed requests answered before the kill").isNotEmpty();

        Set<String> onDisk = requestIds(audit);
        assertThat(acknowledged).as("every acknowledged refusal is on disk").allMatch(onDisk::contains);

        // The restarted gateway repairs a torn last line (never acknowledged) and continues the chain.
        gateway = GatewayProcess.start(config, dir.resolve("gateway-2.log"), port, List.of());
        String after = "after-restart-" + UUID.randomUUID();
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app/form"))
                .header("x-request-id", after).POST(HttpRequest.BodyPublishers.ofString("a=1")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        gateway.destroy();
        gateway.waitFor(20, TimeUnit.SECONDS);
        assertThat(requestIds(audit)).contains(after).containsAll(acknowledged);
        String verdict = AuditFiles.verify(files(audit));
        assertThat(verdict).as(verdict).startsWith("OK");
    }

    private static List<Path> files(Path audit) throws IOException {
        try (Stream<Path> files = Files.list(audit)) {
            return files.filter(p -> p.getFileName().toString().startsWith("gateway-")
                    && p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    /** The incoming X-Request-Id of the complete records on disk (a torn last line is not a record). */
    private static Set<String> requestIds(Path audit) throws IOException {
        Set<String> ids = new HashSet<>();
        for (Path file : files(audit)) {
            for (String line : Files.readAllLines(file)) {
                try {
                    ids.add(JSON.readTree(line).path("details").path("client_request_id").asText());
                } catch (IOException torn) {
                    // only the last line can be torn by the kill; verify after restart proves it
                }
            }
        }
        return ids;
    }
}
