package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plain-request proxy path between a real client, a Vert.x front and a real app server. */
@DisplayName("Forwarding a request to an app")
class ForwarderTest {

    static final long TIMEOUT_MS = 1_000;

    final Vertx vertx = Vertx.vertx();
    private final HttpClient client = vertx.createHttpClient();
    /** The statuses of the accesses recorded as the app's failure (502, 504). */
    final List<Integer> failures = new CopyOnWriteArrayList<>();
    /** Every access's record, as the gateway would hand it to the audit trail. */
    final List<fr.hcbroker.gateway.policy.DecisionEvent> recorded = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger ids = new java.util.concurrent.atomic.AtomicInteger();
    final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
    final io.micrometer.core.instrument.Timer answered = new io.micrometer.core.instrument.simple.SimpleMeterRegistry().timer("answered");
    /** Requests the fast lane took (FastLaneTest). */
    final java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();

    /** Whether the front relays through {@link FastLane} what it can, as the gateway does. */
    boolean lane() {
        return false;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        vertx.close().await();
    }

    /**
     * A front that forwards every request to {@code upstream}, with the lane when {@link #lane()}: what
     * it cannot take goes on to the forwarder, as in the gateway. Returns its port.
     */
    int front(URI upstream) {
        Forwarder forwarder = new Forwarder(upstream, TIMEOUT_MS, Set.of("hc_session"), answered);
        DirectUpstream direct = DirectUpstream.of(vertx, upstream, (int) TIMEOUT_MS, Set.of("hc_session"), answered);
        FastLane.Gate gate = (request, peer) -> {
            if (!FastLane.eligible(request)) {
                return null;
            }
            admitted.incrementAndGet();
            Access access = access(request.method().name(), request.uri());
            return new FastLane.Pass(direct, direct.requestFor(request, headers -> {
                headers.set("x-front", "set by the front");
                headers.set(GatewayServer.X_HC_REQUEST_ID, access.id);
            }), request.headers().contains("x-test-personal"), access);
        };
        // As the gateway's server: HTTP/1.1 only, no cleartext HTTP/2 upgrade.
        return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .connectionHandler(connection -> {
                    if (lane()) {
                        FastLane.install(connection, gate);
                    }
                }).requestHandler(request -> {
            request.pause();
            Access access = access(request.method().name(), request.uri());
            forwarder.forward(request, client, headers -> {
                headers.set("x-front", "set by the front");
                headers.set(GatewayServer.X_HC_REQUEST_ID, access.id);
            }, request.headers().contains("x-test-personal"), access, null);
        }).listen(0, "127.0.0.1").await().actualPort();
    }

    /** An access as the gateway makes one, recorded into {@link #recorded} (and {@link #failures}). */
    private Access access(String method, String path) {
        return new Access("r" + ids.incrementAndGet(), new fr.hcbroker.gateway.policy.Decision(
                fr.hcbroker.gateway.policy.Outcome.ALLOW, "policy satisfied"), "app", method, path, null, "127.0.0.1", null,
                event -> {
                    recorded.add(event);
                    if (event.decision().reason().startsWith("upstream error")) {
                        failures.add(event.status());
                    }
                });
    }

    /** An app on a real Vert.x server; returns the front's port. */
    int frontOf(Consumer<HttpServerRequest> app) {
        HttpServer server = vertx.createHttpServer().requestHandler(app::accept).listen(0, "127.0.0.1").await();
        return front(URI.create("http://127.0.0.1:" + server.actualPort()));
    }

    /** An app that answers with what it received: method, headers, body. */
    static void echo(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            JsonObject headers = new JsonObject();
            request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
            request.response().putHeader("content-type", "application/json").end(new JsonObject()
                    .put("method", request.method().name()).put("uri", request.uri())
                    .put("headers", headers).put("body", body.toString()).encode());
        });
    }

    static String exchange(int port, String raw) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Reads a request's head, up to its blank line. */
    static void readHead(InputStream in) throws IOException {
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
    }

    private JsonObject echoed(int port, RequestOptions options, Buffer body) {
        return vertx.createHttpClient().request(options.setPort(port).setHost("127.0.0.1"))
                .compose(request -> request.send(body)).compose(response -> {
                    assertThat(response.statusCode()).isEqualTo(200);
                    return response.body();
                }).await().toJsonObject();
    }

    @Nested
    @DisplayName("requests")
    class Requests {

        @Test
        @DisplayName("method, path, query, end-to-end headers and the front's own reach the app; hop-by-hop ones and the front's Host do not")
        void headersAndHopByHop() throws Exception {
            int port = frontOf(ForwarderTest::echo);
            String answer = exchange(port, """
                    GET /dossier/42?onglet=notes HTTP/1.0\r
                    Host: apps.hopital.example\r
                    Accept: text/html\r
                    X-Request-Id: r-1\r
                    Keep-Alive: timeout=5\r
                    TE: trailers\r
                    Trailer: Expires\r
                    Upgrade: h2c\r
                    Proxy-Authorization: Basic Zm9vOmJhcg==\r
                    Proxy-Connection: keep-alive\r
                    Connection: Upgrade\r
                    \r
                    """);
            JsonObject seen = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            JsonObject headers = seen.getJsonObject("headers");
            assertThat(seen.getString("uri")).isEqualTo("/dossier/42?onglet=notes");
            assertThat(headers.getString("accept")).isEqualTo("text/html");
            assertThat(headers.getString("x-request-id")).isEqualTo("r-1");
            assertThat(headers.fieldNames()).doesNotContain("keep-alive", "te", "trailer", "upgrade",
                    "proxy-authorization", "proxy-connection");
            assertThat(headers.getString("x-front")).isEqualTo("set by the front");
            assertThat(headers.getString("connection", "")).doesNotContainIgnoringCase("upgrade");
            assertThat(headers.getString("host")).startsWith("127.0.0.1:").doesNotContain("hopital");
            assertThat(answered.count()).as("answers timed").isEqualTo(1);
        }

        @Test
        @DisplayName("an absolute-form target reaches the app in origin-form: the app never sees a host in it")
        void absoluteForm() throws Exception {
            int port = frontOf(ForwarderTest::echo);
            String answer = exchange(port, "GET http://apps.hopital.example/dossier/42?onglet=notes HTTP/1.1\r\n"
                    + "Host: apps.hopital.example\r\nConnection: close\r\n\r\n");
            JsonObject seen = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(seen.getString("uri")).isEqualTo("/dossier/42?onglet=notes");
        }

        @Test
        @DisplayName("a body with a length and a chunked body both arrive whole")
        void bodies() {
            int port = frontOf(ForwarderTest::echo);
            String form = "patient=Hélène Lefèvre-Dupré&note=" + "x".repeat(200_000);
            JsonObject sized = echoed(port, new RequestOptions().setMethod(HttpMethod.POST).setURI("/form")
                    .putHeader("content-length", String.valueOf(Buffer.buffer(form).length())), Buffer.buffer(form));
            assertThat(sized.getString("body")).isEqualTo(form);

            Buffer chunked = vertx.createHttpClient()
                    .request(new RequestOptions().setMethod(HttpMethod.PUT).setHost("127.0.0.1").setPort(port).setURI("/doc"))
                    .compose(request -> {
                        request.setChunked(true);
                        for (int i = 0; i < 50; i++) {
                            request.write("chunk-" + i + ";");
                        }
                        return request.end().compose(v -> request.response()).compose(HttpClientResponse::body);
                    }).await();
            String body = chunked.toJsonObject().getString("body");
            assertThat(body).startsWith("chunk-0;").endsWith("chunk-49;").hasSize(440);
        }

        @Test
        @DisplayName("a browser that expects 100 Continue hears the app's before it sends its body")
        void expectContinue() throws Exception {
            HttpServer app = vertx.createHttpServer(new HttpServerOptions().setHandle100ContinueAutomatically(true))
                    .requestHandler(ForwarderTest::echo).listen(0, "127.0.0.1").await();
            int port = front(URI.create("http://127.0.0.1:" + app.actualPort()));
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = socket.getInputStream();
                byte[] interim = new byte[25];
                assertThat(in.readNBytes(interim, 0, interim.length)).isEqualTo(interim.length);
                assertThat(new String(interim, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
                out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 200").contains("\"body\":\"hello\"");
            }
        }
    }

    @Nested
    @DisplayName("responses")
    class Responses {

        @Test
        @DisplayName("an app's answer cannot set the gateway's session cookie; its own cookies pass")
        void appCannotSetTheGatewaysCookie() throws Exception {
            int port = frontOf(request -> {
                request.response().headers().add("set-cookie", "hc_session=chosen-by-the-app; Path=/")
                        .add("set-cookie", "app_pref=fr; Path=/").add("set-cookie", " hc_session =spaced; Path=/")
                        // nameless: browsers store it and send it back as "hc_session=nameless"
                        .add("set-cookie", "=hc_session=nameless; Path=/").add("set-cookie", " = =hc_session=twice; Path=/");
                request.response().end("ok");
            });
            String answer = exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("set-cookie: app_pref=fr")
                    .doesNotContain("chosen-by-the-app", "spaced", "nameless", "twice");
        }

        @Test
        @DisplayName("a person's answer that says nothing of caching is kept by no cache (assets: by no shared cache); the app's own word stands")
        void personalAnswersAreNotStored() throws Exception {
            int port = frontOf(request -> {
                switch (request.path()) {
                    case "/page" -> request.response().putHeader("content-type", "text/html; charset=utf-8").end("<p>patient</p>");
                    case "/style.css" -> request.response().putHeader("content-type", "text/css").end("p{}");
                    case "/photo.jpg" -> request.response().putHeader("content-type", "image/jpeg").end("jpeg");
                    case "/same" -> request.response().setStatusCode(304).end();
                    default -> request.response().putHeader("cache-control", "max-age=60").end("app decides");
                }
            });
            assertThat(exchange(port, "GET /page HTTP/1.1\r\nHost: a\r\nX-Test-Personal: 1\r\nConnection: close\r\n\r\n"))
                    .containsIgnoringCase("cache-control: private, no-store");
            assertThat(exchange(port, "GET /style.css HTTP/1.1\r\nHost: a\r\nX-Test-Personal: 1\r\nConnection: close\r\n\r\n"))
                    .containsIgnoringCase("cache-control: private\r\n");
            assertThat(exchange(port, "GET /photo.jpg HTTP/1.1\r\nHost: a\r\nX-Test-Personal: 1\r\nConnection: close\r\n\r\n"))
                    .containsIgnoringCase("cache-control: private, no-store");
            assertThat(exchange(port, "GET /same HTTP/1.1\r\nHost: a\r\nX-Test-Personal: 1\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 304").doesNotContainIgnoringCase("cache-control");
            assertThat(exchange(port, "GET /other HTTP/1.1\r\nHost: a\r\nX-Test-Personal: 1\r\nConnection: close\r\n\r\n"))
                    .containsIgnoringCase("cache-control: max-age=60").doesNotContainIgnoringCase("no-store");
            assertThat(exchange(port, "GET /page HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
                    .doesNotContainIgnoringCase("cache-control");
        }

        @Test
        @DisplayName("status, reason, headers and a large streamed body come back as the app sent them, hop-by-hop headers excepted")
        void streamedBody() throws Exception {
            byte[] big = new byte[8 * 1024 * 1024];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) ('a' + i % 26);
            }
            int port = frontOf(request -> {
                var response = request.response().setStatusCode(207).setStatusMessage("Multi Status Maison")
                        .setChunked(true).putHeader("x-app", "dpi").putHeader("keep-alive", "timeout=1")
                        .putHeader("set-cookie", "app=1; Path=/");
                for (int off = 0; off < big.length; off += 64 * 1024) {
                    response.write(Buffer.buffer(java.util.Arrays.copyOfRange(big, off, off + 64 * 1024)));
                }
                response.end();
            });
            String answer = exchange(port, "GET /big HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
            assertThat(head).startsWith("HTTP/1.1 207 Multi Status Maison").containsIgnoringCase("x-app: dpi")
                    .containsIgnoringCase("set-cookie: app=1; Path=/").containsIgnoringCase("transfer-encoding: chunked")
                    .doesNotContainIgnoringCase("keep-alive");
            Buffer body = vertx.createHttpClient()
                    .request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/big"))
                    .compose(request -> request.send()).compose(HttpClientResponse::body).await();
            assertThat(body.getBytes()).isEqualTo(big);
        }

        @Test
        @DisplayName("HEAD, 204 and 304 answers carry no body, and HEAD keeps the app's length")
        void noBody() throws Exception {
            int port = frontOf(request -> {
                switch (request.path()) {
                    case "/empty" -> request.response().setStatusCode(204).end();
                    case "/same" -> request.response().setStatusCode(304).putHeader("etag", "\"v1\"").end();
                    default -> request.response().putHeader("content-length", "11").end(
                            request.method() == HttpMethod.HEAD ? Buffer.buffer() : Buffer.buffer("hello world"));
                }
            });
            assertThat(exchange(port, "HEAD /doc HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 11").endsWith("\r\n\r\n");
            assertThat(exchange(port, "GET /empty HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 204").endsWith("\r\n\r\n");
            assertThat(exchange(port, "GET /same HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 304").contains("\"v1\"").endsWith("\r\n\r\n");
        }

        @Test
        @DisplayName("an HTTP/1.0 client gets a streamed answer with its length (it cannot read chunks)")
        void http10() throws Exception {
            int port = frontOf(request -> {
                request.response().setChunked(true).write("part one, ");
                request.response().end("part two");
            });
            String answer = exchange(port, "GET / HTTP/1.0\r\nHost: a\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.0 200").containsIgnoringCase("content-length: 18")
                    .doesNotContainIgnoringCase("chunked").endsWith("part one, part two");
        }

        @Test
        @DisplayName("an HTTP/1.0 client asking for an answer without a length larger than the bound gets a 502, not the gateway's heap filled")
        void http10Bounded() throws Exception {
            Buffer megabyte = Buffer.buffer(new byte[1024 * 1024]);
            int port = frontOf(request -> {
                // An endless stream: a megabyte each 10 ms until the connection is cut.
                var response = request.response().setChunked(true);
                long timer = vertx.setPeriodic(10, id -> response.write(megabyte));
                response.closeHandler(v -> vertx.cancelTimer(timer));
                response.exceptionHandler(e -> vertx.cancelTimer(timer));
            });
            String answer = exchange(port, "GET /export HTTP/1.0\r\nHost: a\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.0 502").contains("Application indisponible");
            assertThat(failures).containsExactly(502);
        }
    }

    @Nested
    @DisplayName("an app that fails")
    class Failures {

        @Test
        @DisplayName("down: 502 with a page, and the failure is reported")
        void down() throws Exception {
            int closed;
            try (ServerSocket socket = new ServerSocket(0)) {
                closed = socket.getLocalPort();
            }
            int port = front(URI.create("http://127.0.0.1:" + closed));
            String answer = exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 502").contains("Application indisponible", "injoignable");
            assertThat(failures).containsExactly(502);
        }

        @Test
        @DisplayName("hanging past the timeout: 504 with a page, and the failure is reported")
        void hangs() throws Exception {
            int port = frontOf(request -> { });
            long start = System.nanoTime();
            String answer = exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 504").contains("ne répond pas à temps");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(TIMEOUT_MS);
            assertThat(failures).containsExactly(504);
        }

        @Test
        @DisplayName("cutting its answer short: the browser sees a cut connection, never a complete shorter body")
        void cutShort() throws Exception {
            for (String head : List.of("Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                    "Content-Length: 1000\r\n\r\nhello")) {
                ServerSocket app = new ServerSocket(0);
                closing.add(app);
                new Thread(() -> {
                    try (Socket s = app.accept()) {
                        readHead(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\n" + head).getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    } catch (IOException ignored) {
                        // the test reads the outcome on the client side
                    }
                }).start();
                int port = front(URI.create("http://127.0.0.1:" + app.getLocalPort()));
                // A raw socket, not a Vert.x client: that client can miss a close that comes right after the
                // head (it hung the test once in CI) while a browser cannot. A kept-alive request: only a cut
                // connection ends the read.
                String answer = untilClosed(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(answer).as(head).startsWith("HTTP/1.1 200");
                String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
                if (head.startsWith("Transfer-Encoding")) {
                    assertThat(body).as(head).contains("hello").doesNotContain("\r\n0\r\n\r\n");
                } else {
                    assertThat(answer).as(head).containsIgnoringCase("content-length: 1000");
                    assertThat(body).as(head).isEqualTo("hello");
                }
            }
        }

        @Test
        @DisplayName("stalling mid-answer: cut once the app has sent nothing for the upstream timeout, on every lane")
        void stallsMidAnswer() throws Exception {
            for (String head : List.of("Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                    "Content-Length: 1000\r\n\r\nhello")) {
                ServerSocket app = new ServerSocket(0);
                closing.add(app);
                CountDownLatch released = new CountDownLatch(1);
                new Thread(() -> {
                    try (Socket s = app.accept()) {
                        readHead(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\n" + head).getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        released.await(); // the app stays connected and silent
                    } catch (IOException | InterruptedException ignored) {
                        // the test reads the outcome on the client side
                    }
                }).start();
                closing.add(released::countDown);
                int port = front(URI.create("http://127.0.0.1:" + app.getLocalPort()));
                long start = System.nanoTime();
                String answer = untilClosed(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(answer).as(head).startsWith("HTTP/1.1 200").contains("hello");
                assertThat(tookMs).as(head).isGreaterThanOrEqualTo(TIMEOUT_MS).isLessThan(TIMEOUT_MS * 5);
            }
        }

        /** What the gateway sent until it closed the connection (or reset it); fails if it never does. */
        private String untilClosed(int port, String raw) throws IOException {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
                java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                byte[] chunk = new byte[4096];
                try {
                    for (int n; (n = socket.getInputStream().read(chunk)) >= 0; ) {
                        got.write(chunk, 0, n);
                    }
                } catch (java.net.SocketTimeoutException stillOpen) {
                    throw new AssertionError("the connection stayed open after " + got, stillOpen);
                } catch (java.net.SocketException reset) {
                    // a reset is a cut too
                }
                return got.toString(StandardCharsets.ISO_8859_1);
            }
        }

        @Test
        @DisplayName("a browser that leaves stops the wait on the app, so a slow app cannot pile up connections")
        void browserLeaves() throws Exception {
            CountDownLatch appSawItGo = new CountDownLatch(1);
            int port = frontOf(request -> request.connection().closeHandler(v -> appSawItGo.countDown()));
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                Thread.sleep(200);
            }
            assertThat(appSawItGo.await(TIMEOUT_MS / 2, TimeUnit.MILLISECONDS)).isTrue();
        }
    }

    @Nested
    @DisplayName("the access's record")
    class Record {

        @Test
        @DisplayName("made once, with the app's status, its duration and the id the app received, before the answer reaches the browser")
        void onceWithTheAppsStatus() throws Exception {
            List<String> idsSeen = new CopyOnWriteArrayList<>();
            List<Integer> recordedBeforeAnswer = new CopyOnWriteArrayList<>();
            int port = frontOf(request -> {
                idsSeen.add(request.getHeader("x-hc-request-id"));
                request.response().setStatusCode(404).end("not here");
            });
            for (int i = 0; i < 3; i++) {
                String answer = exchange(port, "GET /missing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
                recordedBeforeAnswer.add(recorded.size());
                assertThat(answer).startsWith("HTTP/1.1 404");
            }
            assertThat(recordedBeforeAnswer).containsExactly(1, 2, 3);
            assertThat(recorded).extracting(e -> e.status()).containsExactly(404, 404, 404);
            assertThat(recorded).extracting(e -> e.requestId()).containsExactlyElementsOf(idsSeen).doesNotHaveDuplicates();
            assertThat(recorded).allSatisfy(e -> {
                assertThat(e.appNanos()).isPositive();
                assertThat(e.decision().reason()).isEqualTo("policy satisfied");
            });
        }

        /** Waits (bounded) until {@code n} records are made, then past the app's timeout: no second one may come. */
        private void settled(int n) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 5_000;
            while (recorded.size() < n && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(TIMEOUT_MS + 200);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"3\nabc\n0\n\n", "zz\r\nabc\r\n0\r\n\r\n", "3;x=\nabc\r\n0\r\n\r\n",
                "3\r\nabcdef\r\n0\r\n\r\n", "-3\r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\n0\r\nX: y\nZ\r\n\r\n"})
        @DisplayName("a body the browser sent malformed is the browser's fault: a 400 page, one record saying so, never an upstream error")
        void aMalformedBodyIsTheBrowsersFault(String chunks) throws Exception {
            CountDownLatch appAsked = new CountDownLatch(1);
            CountDownLatch appSawItGo = new CountDownLatch(1);
            int port = frontOf(request -> {
                appAsked.countDown();
                request.connection().closeHandler(v -> appSawItGo.countDown());
                echo(request);
            });
            String answer = exchange(port, "POST /upload HTTP/1.1\r\nHost: a\r\nAccept-Language: en\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + chunks);
            if (lane()) {
                // The page is the lane handler's, which the gateway puts on every HTTP/1.1 connection: without
                // it Vert.x closes the connection without a word.
                assertThat(answer).startsWith("HTTP/1.1 400").contains("Invalid request").contains("connection: close");
            }
            assertThat(answer).doesNotContain("\"body\"").doesNotContain("502");
            settled(1);
            assertThat(recorded).singleElement().satisfies(e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.decision().reason()).isEqualTo("request body malformed");
            });
            assertThat(failures).isEmpty();
            if (appAsked.getCount() == 0) {
                // Asked before the body broke: its request is cut off, not left waiting for the rest.
                assertThat(appSawItGo.await(TIMEOUT_MS, TimeUnit.MILLISECONDS)).as("the app's request is cut off").isTrue();
            }
        }

        @Test
        @DisplayName("a malformed body behind a pipelined request still owed an answer: no page ahead of that answer")
        void aMalformedBodyBehindAPipelinedRequest() throws Exception {
            int port = frontOf(request -> vertx.setTimer(300, t -> echo(request)));
            String answer = exchange(port, "POST /first HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n"
                    + "POST /second HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
            // Whatever the first request gets (its answer, or a closed connection), a 400 is never read as its answer.
            assertThat(answer).doesNotStartWith("HTTP/1.1 400");
        }

        @Test
        @DisplayName("the browser leaving in the middle of its body: recorded once as gone, not as the app's failure")
        void theBrowserLeavingMidBody() throws Exception {
            CountDownLatch asked = new CountDownLatch(1);
            int port = frontOf(request -> {
                asked.countDown();
                echo(request); // answers once the whole body is in: never
            });
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write(("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n").getBytes(StandardCharsets.ISO_8859_1));
                assertThat(asked.await(5, TimeUnit.SECONDS)).isTrue();
            }
            settled(1);
            assertThat(recorded).singleElement().satisfies(e -> {
                assertThat(e.status()).isZero();
                assertThat(e.decision().reason()).isEqualTo("browser left before the app answered");
            });
            assertThat(failures).isEmpty();
        }

        @Test
        @DisplayName("the browser leaving before the app answers: recorded once, without a status")
        void theBrowserLeavingFirst() throws Exception {
            CountDownLatch asked = new CountDownLatch(1);
            int port = frontOf(request -> asked.countDown()); // never answers
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertThat(asked.await(5, TimeUnit.SECONDS)).isTrue();
            }
            long deadline = System.currentTimeMillis() + 5_000;
            while (recorded.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(TIMEOUT_MS + 200); // past the app's timeout: no second record for the same access
            assertThat(recorded).singleElement().satisfies(e -> {
                assertThat(e.status()).isZero();
                assertThat(e.decision().reason()).isEqualTo("browser left before the app answered");
            });
            assertThat(failures).isEmpty();
        }
    }
}
