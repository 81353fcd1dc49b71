package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.hcbroker.gateway.config.ConfigLoader;
import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.oidc.OidcProvider;
import fr.hcbroker.gateway.proxy.GatewayServer;
import fr.hcbroker.gateway.session.InfinispanSessionStore;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway when what it depends on fails: a dead app, a hanging app, Keycloak down. It runs in
 * this JVM with its own configuration (a dead issuer, dead and hanging upstreams, a WebSocket app);
 * the session is put in its store directly, as a login made before Keycloak went down.
 */
@DisplayName("The gateway when an app or Keycloak fails")
@Timeout(30)
class GatewayResilienceIT {

    private static Vertx vertx;
    private static InfinispanSessionStore store;
    private static GatewayServer gateway;
    private static HttpServer hanging;
    private static HttpServer websocketApp;
    private static HttpServer echoApp;
    /** An app that accepts every upgrade with a 101 setting the gateway's cookie, and one of its own. */
    private static ServerSocket cookieSettingApp;
    private static final AtomicReference<MultiMap> websocketHeaders = new AtomicReference<>();
    private static final AtomicReference<String> websocketUri = new AtomicReference<>();
    private static final List<fr.hcbroker.gateway.policy.DecisionEvent> decided = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String SESSION_ID = "existing-session-made-before-keycloak-went-down";

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        vertx = Vertx.vertx();
        hanging = vertx.createHttpServer().requestHandler(request -> { }).listen(0, "127.0.0.1").await();
        websocketApp = vertx.createHttpServer()
                .webSocketHandler(ws -> {
                    websocketHeaders.set(ws.headers());
                    websocketUri.set(ws.uri());
                    ws.textMessageHandler(ws::writeTextMessage);
                })
                .listen(0, "127.0.0.1").await();
        echoApp = vertx.createHttpServer().requestHandler(request -> {
            io.vertx.core.json.JsonObject seen = new io.vertx.core.json.JsonObject();
            request.headers().forEach(h -> {
                String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
                seen.put(name, seen.containsKey(name) ? seen.getString(name) + "|" + h.getValue() : h.getValue());
            });
            request.response().putHeader("content-type", "application/json").end(seen.encode());
        }).listen(0, "127.0.0.1").await();
        cookieSettingApp = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread cookieSetter = new Thread(() -> {
            while (!cookieSettingApp.isClosed()) {
                try (java.net.Socket app = cookieSettingApp.accept()) {
                    int tail = 0;
                    int b = 0;
                    while (tail != 0x0d0a0d0a && (b = app.getInputStream().read()) >= 0) {
                        tail = tail << 8 | b; // the upgrade request's head, up to its blank line
                    }
                    app.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSet-Cookie: hc_session=chosen-by-the-app; Path=/\r\n"
                            + "Set-Cookie: app_pref=fr; Path=/\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    app.getOutputStream().flush();
                    Thread.sleep(500);
                } catch (Exception closed) {
                    // the next upgrade, or the end of the tests
                }
            }
        });
        cookieSetter.setDaemon(true);
        cookieSetter.start();
        int dead = freePort();
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                listen: {host: 127.0.0.1, port: 0}
                publicUrl: http://127.0.0.1:1
                oidc: {issuer: http://127.0.0.1:%d/realms/hospiconnect, clientId: hc-gateway, clientSecretEnv: SECRET}
                upstreamTimeoutSeconds: 2
                trustedProxies: [127.0.0.1]
                management: {host: 127.0.0.1, port: 0}
                routes:
                  - {id: echo, path: /echo, upstream: "http://127.0.0.1:%d"}
                  - {id: dead, path: /dead, upstream: "http://127.0.0.1:%d"}
                  - {id: hanging, path: /hanging, upstream: "http://127.0.0.1:%d"}
                  - {id: cookie-ws, path: /cookie-ws, upstream: "http://127.0.0.1:%d"}
                  - {id: ws, path: /ws, upstream: "http://127.0.0.1:%d"}
                """.formatted(dead, echoApp.actualPort(), dead, hanging.actualPort(), cookieSettingApp.getLocalPort(),
                websocketApp.actualPort()));
        GatewayConfig config = ConfigLoader.load(file, Map.of("SECRET", "s")::get);
        store = new InfinispanSessionStore(vertx, config.session());
        store.put(SESSION_ID, new Session("corr", "sub", "sid", "dr.martin", "899700000013", "Claire", "Martin",
                "c@x.fr", List.of("10"), List.of(), Set.of(), Level.SUBSTANTIAL, List.of("pwd", "otp", "mfa"), System.currentTimeMillis() / 1000)).await();
        gateway = new GatewayServer(vertx, config, store,
                new OidcProvider(vertx, config.oidc(), URI.create("http://127.0.0.1:1/.hc/callback")),
                event -> {
                    decided.add(event);
                    return io.vertx.core.Future.succeededFuture();
                },
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        gateway.start().await();
    }

    @AfterAll
    static void stop() throws Exception {
        cookieSettingApp.close();
        vertx.close().await();
        store.close();
    }

    private static HttpResponse<String> get(String path, boolean withSession) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path));
        if (withSession) {
            request.header("cookie", "hc_session=" + SESSION_ID);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("behind a trusted proxy, its X-Forwarded-* reach the app (the chain extended); identity headers are still stripped")
    void trustedProxyForwardedHeadersAreKept() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.port() + "/echo"))
                .header("cookie", "hc_session=" + SESSION_ID)
                .header("X-Forwarded-For", "10.1.2.3")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "apps.hopital.example")
                .header("X-HC-User", "someone.else")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        io.vertx.core.json.JsonObject seen = new io.vertx.core.json.JsonObject(response.body());
        assertThat(seen.getString("x-forwarded-for")).isEqualTo("10.1.2.3, 127.0.0.1");
        assertThat(seen.getString("x-forwarded-proto")).isEqualTo("https");
        assertThat(seen.getString("x-forwarded-host")).isEqualTo("apps.hopital.example");
        assertThat(seen.getString("x-hc-user")).isEqualTo("dr.martin");
    }

    @Test
    void anAppThatIsDownGets502WithAPage() throws Exception {
        HttpResponse<String> response = get("/dead/x", true);
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("Application indisponible");
    }

    @Test
    void anAppThatHangsGets504AfterTheTimeout() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = get("/hanging/x", true);
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1_500L, 10_000L);
        // One record for the access, with the 504 the person got and how long the gateway waited.
        assertThat(decided).filteredOn(event -> "/hanging/x".equals(event.path())).singleElement().satisfies(event -> {
            assertThat(event.decision().reason()).isEqualTo("upstream error 504");
            assertThat(event.status()).isEqualTo(504);
            assertThat(event.appNanos() / 1_000_000).isGreaterThanOrEqualTo(1_500L);
            assertThat(event.requestId()).isNotBlank();
        });
    }

    @Test
    void withKeycloakDownAnExistingSessionKeepsWorkingAndANewLoginGetsAClear503() throws Exception {
        HttpResponse<String> existing = get("/dead/x", true);
        assertThat(existing.statusCode()).isEqualTo(502);
        HttpResponse<String> newcomer = get("/dead/x", false);
        assertThat(newcomer.statusCode()).isEqualTo(503);
        assertThat(newcomer.body()).contains("Service de connexion indisponible");
        assertThat(get("/readyz", false).statusCode()).isEqualTo(503);
    }

    @Test
    void aWebSocketUpgradeIsProxiedWithSpoofedHeadersStrippedAndIdentityInjected() {
        WebSocketClient client = vertx.createWebSocketClient();
        var socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/ws/chat").addHeader("cookie", "hc_session=" + SESSION_ID)
                .addHeader("X-HC-User", "admin").addHeader("x_hc_loa", "eidas3")).await();
        io.vertx.core.Promise<String> reply = io.vertx.core.Promise.promise();
        socket.textMessageHandler(reply::tryComplete);
        socket.writeTextMessage("ping");
        String echoed = reply.future().await();
        assertThat(echoed).isEqualTo("ping");
        MultiMap seen = websocketHeaders.get();
        assertThat(seen.getAll("X-HC-User")).containsExactly("dr.martin");
        assertThat(seen.get("X-HC-LoA")).isEqualTo("eidas2");
        assertThat(seen.contains("x_hc_loa")).isFalse();
        socket.close().await();
    }

    @ParameterizedTest(name = "[{index}] Origin: {0}")
    @ValueSource(strings = {"http://intranet.hopital.example", "http://127.0.0.1:%d.evil.example", "https://127.0.0.1:%d",
            "http://127.0.0.1:2", "null"})
    @DisplayName("a WebSocket handshake from a page of another origin is refused (cross-site WebSocket hijacking)")
    void aWebSocketFromAnotherOriginIsRefused(String origin) {
        WebSocketClient client = vertx.createWebSocketClient();
        assertThatThrownBy(() -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/ws/chat").addHeader("cookie", "hc_session=" + SESSION_ID)
                .addHeader("origin", origin.formatted(gateway.port()))).await())
                .isInstanceOf(io.vertx.core.http.UpgradeRejectedException.class)
                .satisfies(e -> assertThat(((io.vertx.core.http.UpgradeRejectedException) e).getStatus()).isEqualTo(403));
        var socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/ws/chat").addHeader("cookie", "hc_session=" + SESSION_ID)
                .addHeader("origin", "http://127.0.0.1:" + gateway.port())).await();
        socket.close().await();
        // Behind a TLS proxy that rewrites Host, the page's origin is the gateway's public one (publicUrl).
        var proxied = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/ws/chat").addHeader("cookie", "hc_session=" + SESSION_ID).addHeader("host", "gateway-node-1:8000")
                .addHeader("origin", "http://127.0.0.1:1")).await();
        proxied.close().await();
    }

    @Test
    @DisplayName("a WebSocket the browser closed is forgotten: the gateway's list of open sockets does not grow")
    void aClosedWebSocketIsForgotten() throws Exception {
        URI metrics = URI.create("http://127.0.0.1:" + gateway.managementPort() + "/metrics");
        WebSocketClient client = vertx.createWebSocketClient();
        double before = openWebSockets(metrics);
        for (int i = 0; i < 20; i++) {
            client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                    .setURI("/ws/chat").addHeader("cookie", "hc_session=" + SESSION_ID)).await().close().await();
        }
        long deadline = System.currentTimeMillis() + 5_000;
        while (openWebSockets(metrics) > before && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(openWebSockets(metrics)).isEqualTo(before);
    }

    private static double openWebSockets(URI metrics) throws Exception {
        String text = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith("hc_gateway_websockets ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
                .findFirst().orElseThrow();
    }

    @Test
    @DisplayName("a WebSocket ends with its session: after a logout it relays nothing more")
    void aWebSocketIsClosedOnceItsSessionHasEnded() throws Exception {
        String sessionId = "session-with-a-websocket-" + UUID.randomUUID();
        store.put(sessionId, new Session("corr-ws", "sub-ws", "sid-ws", "dr.martin", "899700000013", "Claire", "Martin",
                "c@x.fr", List.of("10"), List.of(), Set.of(), Level.SUBSTANTIAL, List.of("pwd", "otp", "mfa"),
                System.currentTimeMillis() / 1000)).await();
        WebSocketClient client = vertx.createWebSocketClient();
        var socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/ws/chat").addHeader("cookie", "hc_session=" + sessionId)).await();
        io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
        socket.closeHandler(v -> closed.tryComplete());
        // A socket of another, still open session stays open.
        var other = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/ws/chat").addHeader("cookie", "hc_session=" + SESSION_ID)).await();
        HttpResponse<Void> logout = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/.hc/logout"))
                .header("cookie", "hc_session=" + sessionId).header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + fr.hcbroker.gateway.oidc.SignOut.token(sessionId))).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(logout.statusCode()).isEqualTo(302);
        closed.future().timeout(GatewayServer.WEBSOCKET_CHECK_MILLIS + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS).await();
        io.vertx.core.Promise<String> reply = io.vertx.core.Promise.promise();
        other.textMessageHandler(reply::tryComplete);
        other.writeTextMessage("still here");
        assertThat(reply.future().await()).isEqualTo("still here");
        other.close().await();
    }

    @Test
    @DisplayName("WebSocket compression is the browser's and the app's to negotiate: the gateway relays it")
    void webSocketCompressionIsNegotiatedEndToEnd() {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true));
        var socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/ws/compressed").addHeader("cookie", "hc_session=" + SESSION_ID)).await();
        String message = "Hélène Lefèvre-Dupré ".repeat(200);
        io.vertx.core.Promise<String> reply = io.vertx.core.Promise.promise();
        socket.textMessageHandler(reply::tryComplete);
        socket.writeTextMessage(message);
        assertThat(reply.future().await()).isEqualTo(message);
        assertThat(websocketHeaders.get().get("sec-websocket-extensions")).contains("permessage-deflate");
        assertThat(socket.headers().get("sec-websocket-extensions")).contains("permessage-deflate");
        socket.close().await();
    }

    @ParameterizedTest(name = "[{index}] from {0}, X-Forwarded-For: {1}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1 | 203.0.113.7 | 203.0.113.7",
            "127.0.0.1 | 198.51.100.1, 203.0.113.7 | 203.0.113.7",
            "127.0.0.1 | 203.0.113.7, 127.0.0.1 | 203.0.113.7",
            "127.0.0.1 | '' | 127.0.0.1",
            "127.0.0.2 | 203.0.113.7 | 127.0.0.2"})
    @DisplayName("a decision records the browser's address: behind a trusted proxy the one it reports, else the peer's")
    void decisionsRecordTheBrowsersAddress(String from, String forwardedFor, String recorded) throws Exception {
        String id = "addr-" + java.util.UUID.randomUUID();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port(), java.net.InetAddress.getByName(from), 0)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: hc_session=" + SESSION_ID
                    + "\r\nX-Request-Id: " + id + "\r\n" + (forwardedFor.isEmpty() ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n")
                    + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200");
        }
        assertThat(decided).filteredOn(event -> id.equals(event.clientRequestId()))
                .extracting(fr.hcbroker.gateway.policy.DecisionEvent::clientIp).containsExactly(recorded);
    }

    @Test
    @DisplayName("a request no route serves is refused with 404 and recorded as a denial, as every decision is")
    void anUnroutedRequestIsRecorded() throws Exception {
        String id = "unrouted-" + java.util.UUID.randomUUID();
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                + "/nowhere/x?token=SECRET")).header("X-Request-Id", id).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.body()).contains("Application inconnue");
        assertThat(decided).filteredOn(event -> id.equals(event.clientRequestId())).singleElement().satisfies(event -> {
            assertThat(event.decision().outcome()).isEqualTo(fr.hcbroker.gateway.policy.Outcome.DENY);
            assertThat(event.decision().reason()).isEqualTo("no route");
            assertThat(event.status()).isEqualTo(404);
            assertThat(event.path()).isEqualTo("/nowhere/x");
            assertThat(event.route()).isNull();
        });
    }

    @Test
    @DisplayName("browser connections carry TCP keepalive, so one whose browser vanished is closed by the kernel's probes")
    void browserConnectionsAreKeptAliveByTcpProbes() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/ss")) || Files.isExecutable(Path.of("/bin/ss")),
                "needs ss (iproute2) to read the socket's timers");
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
            Process ss = new ProcessBuilder("ss", "-tno", "state", "established", "( sport = :" + gateway.port()
                    + " and dport = :" + socket.getLocalPort() + " )").redirectErrorStream(true).start();
            String listing = new String(ss.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(ss.waitFor()).isZero();
            assertThat(listing).contains(":" + socket.getLocalPort()).contains("timer:(keepalive");
        }
    }

    @Test
    @DisplayName("a WebSocket quiet for longer than the app timeout stays open: that timeout is for waiting on an answer")
    void aQuietWebSocketOutlivesTheUpstreamTimeout() throws Exception {
        WebSocketClient client = vertx.createWebSocketClient();
        var socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/ws/quiet").addHeader("cookie", "hc_session=" + SESSION_ID)).await();
        Thread.sleep(3_500); // the upstream timeout is 2 s
        io.vertx.core.Promise<String> reply = io.vertx.core.Promise.promise();
        socket.textMessageHandler(reply::tryComplete);
        socket.closeHandler(v -> reply.tryFail("closed"));
        socket.writeTextMessage("still there?");
        assertThat(reply.future().await()).isEqualTo("still there?");
        socket.close().await();
    }

    @Test
    @DisplayName("an upgrade with an absolute-form target reaches the app in origin-form")
    void aWebSocketUpgradeInAbsoluteFormReachesTheAppInOriginForm() throws Exception {
        String host = "127.0.0.1:" + gateway.port();
        websocketUri.set(null);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET http://" + host + "/ws/chat?room=7 HTTP/1.1\r\nHost: " + host
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: hc_session=" + SESSION_ID + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] head = new byte[12];
            assertThat(socket.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
        }
        // The app's handler runs on its own thread: its record of the upgrade may land just after the 101.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (websocketUri.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(websocketUri.get()).isEqualTo("/ws/chat?room=7");
    }

    @Test
    @DisplayName("an app's answer to an upgrade cannot set the gateway's session cookie; its own cookies pass")
    void anUpgradeAnswerCannotSetTheGatewaysCookie() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /cookie-ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Cookie: hc_session=" + SESSION_ID + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = socket.getInputStream().read();
                assertThat(b).as("the answer's head ends").isNotNegative();
                head.append((char) b);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101").containsIgnoringCase("set-cookie: app_pref=fr")
                    .doesNotContain("chosen-by-the-app");
        }
    }

    @Test
    void aWebSocketUpgradeWithoutSessionIsNotProxied() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/ws/chat"))
                .header("X-HC-User", "admin").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(websocketHeaders.get() == null || !"admin".equals(websocketHeaders.get().get("X-HC-User"))).isTrue();
    }

    @Test
    @DisplayName("with a management port, metrics are there only; health is on both")
    void metricsCountDecisionsAndLiveSessionsOnTheManagementPort() throws Exception {
        get("/dead/x", true);
        URI management = URI.create("http://127.0.0.1:" + gateway.managementPort());
        String metrics = http.send(HttpRequest.newBuilder(management.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("hc_gateway_sessions").contains("hc_gateway_decisions_total{outcome=\"allow\"}");
        HttpResponse<String> onMain = get("/metrics", false);
        assertThat(onMain.statusCode()).isEqualTo(404);
        assertThat(onMain.body()).doesNotContain("hc_gateway_sessions");
        // The release the jar was built as, stamped into its manifest by the build.
        String healthy = "ok " + System.getProperty("hc.version") + "\n";
        assertThat(get("/healthz", false).body()).isEqualTo(healthy);
        assertThat(http.send(HttpRequest.newBuilder(management.resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).isEqualTo(healthy);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
