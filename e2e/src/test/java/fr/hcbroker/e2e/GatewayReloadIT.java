package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Configuration reload on SIGHUP, on the gateway's real process: new routes take effect while a
 * streaming response and a keep-alive connection carry on; a broken file, or one changing what
 * needs a restart, leaves the running configuration in place and says why.
 */
@DisplayName("configuration reload (SIGHUP)")
class GatewayReloadIT {

    private static final Vertx vertx = Vertx.vertx();
    private static Path work;
    private static Path config;
    private static Path log;
    private static Process gateway;
    private static int port;
    private static int deadIssuer;
    private static HttpServer one;
    private static HttpServer two;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        one = app("one");
        two = app("two");
        work = Files.createDirectories(Path.of(System.getProperty("hc.work")).toAbsolutePath().resolveSibling("reload-it"));
        config = work.resolve("gateway.yaml");
        log = work.resolve("gateway.log");
        port = GatewayProcess.freePort();
        deadIssuer = GatewayProcess.freePort();
        Files.writeString(config, config(port, "  - {id: one, path: /, upstream: \"http://127.0.0.1:" + one.actualPort()
                + "\", publicPaths: [/]}"));
        gateway = GatewayProcess.start(config, log, port, List.of());
        // One connection at most: every request of this client rides the same keep-alive connection.
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setDefaultPort(port)
                .setDefaultHost("127.0.0.1"), new PoolOptions().setHttp1MaxSize(1));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
        vertx.close().await();
    }

    @Test
    @DisplayName("routes change in place: a response in flight and a keep-alive connection carry on; bad reloads change nothing")
    void reloadInPlace() throws Exception {
        Exchange before = get("/page");
        assertThat(before.status()).isEqualTo(200);
        assertThat(new JsonObject(before.body()).getString("app")).isEqualTo("one");

        Future<Exchange> streaming = exchange(vertx.createHttpClient(new HttpClientOptions().setDefaultPort(port)
                .setDefaultHost("127.0.0.1")), "/slow");
        Thread.sleep(300);
        Files.writeString(config, config(port, """
                  - {id: two, path: /two, upstream: "http://127.0.0.1:%d", publicPaths: [/two]}
                  - {id: one, path: /, upstream: "http://127.0.0.1:%d", publicPaths: [/open]}\
                """.formatted(two.actualPort(), one.actualPort())));
        hangUp("configuration reloaded");

        Exchange after = get("/two/page");
        assertThat(after.status()).isEqualTo(200);
        assertThat(new JsonObject(after.body()).getString("app")).isEqualTo("two");
        assertThat(after.connection()).as("same keep-alive connection").isSameAs(before.connection());
        assertThat(get("/open/page").status()).isEqualTo(200);
        // No longer public: a login is needed, and this test's Keycloak is down.
        assertThat(get("/page").status()).isEqualTo(503);
        Exchange streamed = streaming.await();
        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.body()).isEqualTo("chunk\n".repeat(10));

        Files.writeString(config, Files.readString(config).replace("path: /two,", "path: /two, minLevel: eidas9,"));
        hangUp("reload refused");
        assertThat(Files.readString(log)).contains("minLevel");
        assertThat(new JsonObject(get("/two/page").body()).getString("app")).isEqualTo("two");

        Files.writeString(config, config(port + 1, "  - {id: one, path: /, upstream: \"http://127.0.0.1:"
                + one.actualPort() + "\", publicPaths: [/]}"));
        hangUp("listen changed, which needs a restart");
        assertThat(new JsonObject(get("/two/page").body()).getString("app")).isEqualTo("two");
        assertThat(gateway.isAlive()).isTrue();
    }

    private record Exchange(int status, String body, HttpConnection connection) {
    }

    private static Exchange get(String path) {
        return exchange(client, path).await();
    }

    /** The body is taken on the event loop as the response arrives (from another thread it could be gone). */
    private static Future<Exchange> exchange(HttpClient http, String path) {
        return http.request(HttpMethod.GET, path).compose(request -> request.send().compose(response ->
                response.body().map(body -> new Exchange(response.statusCode(), body.toString(), request.connection()))));
    }

    /** Sends SIGHUP and waits for one more log line containing {@code expected}. */
    private static void hangUp(String expected) throws Exception {
        long seen = count(expected);
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(gateway.pid())).start().waitFor()).isZero();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (count(expected) == seen) {
            assertThat(Instant.now()).as("'%s' in %s", expected, log).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    private static long count(String text) throws Exception {
        return Files.readString(log).lines().filter(l -> l.contains(text)).count();
    }

    private static String config(int listen, String routes) throws Exception {
        return """
                listen: {host: 127.0.0.1, port: %d}
                publicUrl: http://127.0.0.1:%d
                oidc: {issuer: http://127.0.0.1:%d/realms/hospiconnect, clientId: hc-gateway, clientSecretEnv: SECRET}
                audit: {dir: %s, groupCommitMillis: 50}
                routes:
                %s
                """.formatted(listen, port, deadIssuer, work.resolve("audit"), routes);
    }

    /** An app that says its name, and streams ten lines over two seconds at /slow. */
    private static HttpServer app(String name) {
        return vertx.createHttpServer().requestHandler(request -> {
            if (request.path().equals("/slow")) {
                request.response().setChunked(true);
                for (int i = 1; i <= 10; i++) {
                    int n = i;
                    vertx.setTimer(200L * i, t -> {
                        request.response().write("chunk\n");
                        if (n == 10) {
                            request.response().end();
                        }
                    });
                }
            } else {
                request.response().putHeader("content-type", "application/json")
                        .end(new JsonObject().put("app", name).put("path", request.path()).encode());
            }
        }).listen(0, "127.0.0.1").await();
    }
}
