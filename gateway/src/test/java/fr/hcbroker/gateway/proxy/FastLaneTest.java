package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every forwarding test again with the fast lane in front (what it does not take goes on to the
 * forwarder, as in the gateway), and what only the lane has: order on a connection it shares with
 * Vert.x, pooled connections to the app, interim answers, answers delimited by a close.
 */
@DisplayName("Forwarding a request to an app through the fast lane")
class FastLaneTest extends ForwarderTest {

    @Override
    boolean lane() {
        return true;
    }

    /** An app that answers with its path, after {@code delayMs} for paths starting with /slow. */
    private int pathsApp(long delayMs, AtomicInteger connections) {
        HttpServer app = vertx.createHttpServer()
                .connectionHandler(connection -> connections.incrementAndGet())
                .requestHandler(request -> request.body().onSuccess(body -> {
                    Runnable answer = () -> request.response().end(request.path() + (body.length() > 0 ? " body=" + body : ""));
                    if (request.path().startsWith("/slow")) {
                        vertx.setTimer(delayMs, id -> answer.run());
                    } else {
                        answer.run();
                    }
                })).listen(0, "127.0.0.1").await();
        return front(URI.create("http://127.0.0.1:" + app.actualPort()));
    }

    /** The bodies of the answers in a raw HTTP/1.1 stream, in the order they came (lengths or chunks). */
    private static List<String> bodies(String stream) {
        List<String> bodies = new ArrayList<>();
        Matcher answers = Pattern.compile("HTTP/1.1 200 OK\r\n(.*?)\r\n\r\n", Pattern.DOTALL).matcher(stream);
        int from = 0;
        while (answers.find(from)) {
            String head = answers.group(1).toLowerCase();
            int at = answers.end();
            Matcher length = Pattern.compile("content-length: (\\d+)").matcher(head);
            if (length.find()) {
                int n = Integer.parseInt(length.group(1));
                bodies.add(stream.substring(at, at + n));
                from = at + n;
            } else {
                StringBuilder body = new StringBuilder();
                while (true) {
                    int eol = stream.indexOf("\r\n", at);
                    int size = Integer.parseInt(stream.substring(at, eol).trim(), 16);
                    if (size == 0) {
                        from = eol + 4;
                        break;
                    }
                    body.append(stream, eol + 2, eol + 2 + size);
                    at = eol + 2 + size + 2;
                }
                bodies.add(body.toString());
            }
        }
        return bodies;
    }

    @Nested
    @DisplayName("the lane")
    @Timeout(20) // a connection the lane mixed up hangs rather than fails
    class Lane {

        @Test
        @DisplayName("takes kept-alive requests, sends the app what the forwarder sends, and reuses its connections to the app")
        void reusesConnections() throws Exception {
            AtomicInteger appConnections = new AtomicInteger();
            HttpServer app = vertx.createHttpServer().connectionHandler(c -> appConnections.incrementAndGet())
                    .requestHandler(ForwarderTest::echo).listen(0, "127.0.0.1").await();
            int port = front(URI.create("http://127.0.0.1:" + app.actualPort()));
            String first = exchange(port, "GET /dossier/0?onglet=notes HTTP/1.1\r\nHost: apps.hopital.example\r\n"
                    + "X-Request-Id: r-0\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nTrailer: Expires\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nProxy-Connection: keep-alive\r\nConnection: close\r\n\r\n");
            JsonObject headers = new JsonObject(first.substring(first.indexOf("\r\n\r\n") + 4)).getJsonObject("headers");
            assertThat(headers.fieldNames()).doesNotContain("keep-alive", "te", "trailer", "proxy-authorization",
                    "proxy-connection", "connection");
            assertThat(headers.getString("host")).isEqualTo("127.0.0.1:" + app.actualPort());
            assertThat(headers.getString("x-front")).isEqualTo("set by the front");
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(5_000);
                for (int i = 1; i <= 20; i++) {
                    String uri = "/dossier/" + i + "?onglet=notes";
                    socket.getOutputStream().write(("GET " + uri + " HTTP/1.1\r\nHost: a\r\nX-Request-Id: r-" + i + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    JsonObject seen = new JsonObject(answerBody(socket.getInputStream()));
                    assertThat(seen.getString("uri")).isEqualTo(uri);
                    assertThat(seen.getJsonObject("headers").getString("x-request-id")).isEqualTo("r-" + i);
                }
            }
            assertThat(admitted.get()).isEqualTo(21);
            assertThat(appConnections.get()).isEqualTo(1);
            assertThat(answered.count()).as("answers timed").isEqualTo(21);
        }

        @Test
        @DisplayName("answers requests pipelined behind its own in order, whoever serves them")
        void pipelinedBehindTheLane() throws Exception {
            int port = pathsApp(300, new AtomicInteger());
            String stream = exchange(port, "GET /slow-first HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                    + "GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertThat(bodies(stream)).containsExactly("/slow-first", "/chunked body=abc", "/last");
            assertThat(admitted.get()).isEqualTo(1);
        }

        @Test
        @DisplayName("takes nothing while Vert.x owes an answer on the connection: the order holds")
        void pipelinedBehindVertx() throws Exception {
            int port = pathsApp(300, new AtomicInteger());
            String stream = exchange(port, "POST /slow-chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
                    + "GET /fast HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertThat(bodies(stream)).containsExactly("/slow-chunked body=hi", "/fast");
        }

        @Test
        @DisplayName("takes the connection back once Vert.x has answered")
        void afterVertx() throws Exception {
            int port = pathsApp(0, new AtomicInteger());
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write("POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                byte[] first = new byte[4096];
                int n = socket.getInputStream().read(first);
                assertThat(new String(first, 0, n, StandardCharsets.ISO_8859_1)).endsWith("/chunked body=x");
                out.write("GET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String rest = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(bodies(rest)).containsExactly("/next");
            }
            assertThat(admitted.get()).isEqualTo(1);
        }

        @Test
        @DisplayName("relays the app's final answer, not its interim ones (103 Early Hints)")
        void interimAnswers() throws Exception {
            int port = front(rawApp("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            String answer = exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nok").doesNotContain("103", "preload");
            assertThat(admitted.get()).isEqualTo(1);
        }

        @Test
        @DisplayName("relays an answer the app ends by closing its connection, in chunks and whole")
        void closeDelimited() throws Exception {
            int port = front(rawApp("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello, until the end"));
            var answer = vertx.createHttpClient()
                    .request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/"))
                    .compose(request -> request.send())
                    .compose(response -> response.body().map(body -> response.getHeader("transfer-encoding") + " " + body))
                    .await();
            assertThat(answer).isEqualTo("chunked hello, until the end");
            assertThat(admitted.get()).isEqualTo(1);
        }

        @Test
        @DisplayName("drops the app's trailers: headers too, that no filter has seen (a cookie of the gateway's, an identity header)")
        void trailersDropped() throws Exception {
            int port = front(rawApp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Set-Cookie\r\n\r\n"
                    + "2\r\nok\r\n0\r\nSet-Cookie: hc_session=chosen-by-the-app\r\nX-HC-User: someone\r\n\r\n"));
            String answer = exchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 200").contains("\r\n2\r\nok\r\n0\r\n\r\n")
                    .doesNotContain("chosen-by-the-app", "someone");
            assertThat(admitted.get()).isEqualTo(1);
        }

        @Test
        @DisplayName("after a request that asks to close, requests pipelined behind it never reach the app")
        void nothingAfterClose() throws Exception {
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            HttpServer app = vertx.createHttpServer().requestHandler(request -> {
                seen.add(request.path());
                request.response().end(request.path());
            }).listen(0, "127.0.0.1").await();
            int port = front(URI.create("http://127.0.0.1:" + app.actualPort()));
            String stream = exchange(port, "GET /first HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    + "DELETE /second HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(bodies(stream)).containsExactly("/first");
            Thread.sleep(200);
            assertThat(seen).containsExactly("/first");
        }

        @Test
        @DisplayName("an app that answers before reading a body: the answer comes back, and the browser's connection goes on")
        void answerBeforeBody() throws Exception {
            HttpServer app = vertx.createHttpServer()
                    .requestHandler(request -> request.response().setStatusCode(413).end("too large"))
                    .listen(0, "127.0.0.1").await();
            int port = front(URI.create("http://127.0.0.1:" + app.actualPort()));
            HttpClient browser = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
            Buffer big = Buffer.buffer(new byte[4 * 1024 * 1024]);
            int status = browser.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/upload")
                            .setMethod(io.vertx.core.http.HttpMethod.POST).putHeader("content-length", String.valueOf(big.length())))
                    .compose(request -> request.send(big)).map(HttpClientResponse::statusCode).await();
            assertThat(status).isEqualTo(413);
            String next = browser.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/again"))
                    .compose(request -> request.send()).compose(HttpClientResponse::body).await().toString();
            assertThat(next).isEqualTo("too large");
        }
    }

    /** One answer's body read from a kept-alive connection (the answer has a Content-Length). */
    private static String answerBody(java.io.InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the head: " + head);
            }
            head.append((char) b);
        }
        Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        assertThat(length.find()).as(head.toString()).isTrue();
        return new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
    }

    /** An app that reads a request's head and writes {@code raw}, then closes; returns its URI. */
    private URI rawApp(String raw) throws IOException {
        ServerSocket app = new ServerSocket(0);
        closing.add(app);
        Thread thread = new Thread(() -> {
            try (Socket s = app.accept()) {
                readHead(s.getInputStream());
                s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException ignored) {
                // the test reads the outcome on the browser's side
            }
        });
        thread.setDaemon(true);
        thread.start();
        return URI.create("http://127.0.0.1:" + app.getLocalPort());
    }
}
