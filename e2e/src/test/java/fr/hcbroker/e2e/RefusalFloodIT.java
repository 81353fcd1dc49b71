package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client flooding the gateway with refused requests (issue #35), against its real process with the
 * default summary settings: the trail grows by less than the documented bound (1 MB a minute per
 * flooding client), every refusal the client received is in the trail (one by one or counted in a
 * summary), another client's refusals and accesses are still recorded one by one, and the chain
 * verifies.
 */
@DisplayName("The audit trail under a flood of refusals from one client")
@Timeout(120)
class RefusalFloodIT {

    private static final int FLOOD = 4000;
    private Process gateway;
    private HttpServer app;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
        if (app != null) {
            app.stop(0);
        }
    }

    @Test
    void aFloodIsSummarisedCountedExactlyAndBoundedWhileOthersStayOneByOne(@TempDir Path dir) throws Exception {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes());
            exchange.close();
        });
        app.start();
        int port = GatewayProcess.freePort();
        Path audit = dir.resolve("audit");
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, GatewayProcess.config(port, audit, app.getAddress().getPort(), ""));
        gateway = GatewayProcess.start(config, dir.resolve("gateway.log"), port, List.of());
        long before = trailBytes(audit);

        // The flood: unknown gateway paths, each a new path, each claiming another forwarded address.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long started = System.nanoTime();
        ExecutorService flood = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            flood.submit(() -> {
                for (int i; (i = sent.getAndIncrement()) < FLOOD && System.nanoTime() - started < 20_000_000_000L; ) {
                    HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + port + "/.hc/flood-" + i + "?token=secret-" + i))
                            .header("X-Forwarded-For", "10.9." + (i / 250) + "." + (i % 250)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 404) {
                        refused.incrementAndGet();
                    }
                }
                return null;
            });
        }
        // Meanwhile another client: a few refusals and accesses.
        for (int i = 0; i < 5; i++) {
            assertThat(ConnectionFloodIT.exchange("127.0.0.2", port,
                    "GET /.hc/other-" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 404");
            assertThat(ConnectionFloodIT.exchange("127.0.0.2", port,
                    "GET /public/other-" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
        }
        flood.shutdown();
        assertThat(flood.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        long floodMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(refused.get()).as("refusals the flooding client received").isGreaterThan(1000);

        // A graceful stop writes the windows' summaries (a running gateway writes them at each window's end).
        gateway.destroy();
        assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long grown = trailBytes(audit) - before;
        assertThat(grown).as("trail growth for %d refusals in %d ms: under the documented 1 MB a minute", refused.get(), floodMillis)
                .isLessThan(1_000_000);

        List<JsonNode> records = ConnectionFloodIT.records(audit);
        long oneByOne = records.stream().filter(r -> r.path("client_ip").asText().equals("127.0.0.1")
                && r.path("event").asText().equals("deny")).count();
        List<JsonNode> summaries = records.stream().filter(r -> r.path("event").asText().equals("deny-summary")).toList();
        assertThat(summaries).isNotEmpty().allSatisfy(s -> assertThat(s.path("client_ip").asText()).isEqualTo("127.0.0.1"));
        long summarised = summaries.stream().mapToLong(s -> s.path("details").path("count").asLong()).sum();
        assertThat(oneByOne).as("recorded one by one: the threshold of the reason").isEqualTo(20);
        assertThat(oneByOne + summarised).as("every refusal received is in the trail").isEqualTo(refused.get());
        JsonNode first = summaries.get(0).path("details");
        assertThat(first.path("reasons").asText()).contains("unknown gateway path");
        assertThat(first.path("sample_paths").asText()).contains("/.hc/flood-").doesNotContain("secret");
        assertThat(first.path("first").asText()).isNotEmpty();
        assertThat(first.path("last").asText()).isGreaterThanOrEqualTo(first.path("first").asText());

        assertThat(records.stream().filter(r -> r.path("client_ip").asText().equals("127.0.0.2")
                && r.path("event").asText().equals("deny"))).as("the other client's refusals, one by one").hasSize(5);
        assertThat(records.stream().filter(r -> r.path("client_ip").asText().equals("127.0.0.2")
                && r.path("event").asText().equals("access"))).as("the other client's accesses, one by one").hasSize(5);

        String verdict = AuditFiles.verify(ConnectionFloodIT.gatewayFiles(audit));
        assertThat(verdict).as(verdict).startsWith("OK");
        System.out.printf("RefusalFloodIT: %d refusals in %d ms; trail grew %d bytes (%d one by one, %d summarised in %d record(s))%n",
                refused.get(), floodMillis, grown, oneByOne, summarised, summaries.size());
    }

    private static long trailBytes(Path audit) throws IOException {
        long total = 0;
        if (Files.isDirectory(audit)) {
            for (Path file : ConnectionFloodIT.gatewayFiles(audit)) {
                total += Files.size(file);
            }
        }
        return total;
    }
}
