package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The timeouts on a real Vert.x server's connections (the process-level proof is ConnectionFloodIT). */
@DisplayName("A connection that stops making progress")
class ConnectionGuardTest {

    /** Body and idle timeouts much shorter than the head timeout: each phase's own deadline applies, not the first one's. */
    private static final GatewayConfig.Connections LIMITS = new GatewayConfig.Connections(Duration.ofMillis(3000),
            Duration.ofMillis(600), Duration.ofMillis(400), 100);
    private static Vertx vertx;
    private static HttpServer server;
    private static final List<ConnectionGuard.Phase> closed = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        // As the gateway's listeners: HTTP/1.1 only (with cleartext HTTP/2 on, Vert.x reads the first bytes before making the pipeline).
        server = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setHttp2ClearTextEnabled(false))
                .connectionHandler(connection -> ConnectionGuard.install(
                        ((io.vertx.core.net.impl.ConnectionBase) connection).channel(), LIMITS, closed::add))
                .requestHandler(request -> request.body().onSuccess(body -> request.response().end("ok " + body.length())))
                .listen(0, "127.0.0.1").await();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static Socket open() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.actualPort());
        socket.setSoTimeout(8000);
        return socket;
    }

    /** Milliseconds until the server closes the connection (reading whatever it answers first). */
    private static long untilClosed(Socket socket, long from) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() != -1) {
                // an answer before the close
            }
        } catch (SocketTimeoutException open) {
            return Long.MAX_VALUE;
        } catch (IOException reset) {
            // closed
        }
        return (System.nanoTime() - from) / 1_000_000;
    }

    @Test
    void anUnfinishedHeadIsClosedAfterTheHeadTimeout() throws Exception {
        try (Socket socket = open()) {
            long start = System.nanoTime();
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            assertThat(untilClosed(socket, start)).isBetween(2900L, 7000L);
        }
        assertThat(closed).contains(ConnectionGuard.Phase.HEAD);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeadTimeout() throws Exception {
        try (Socket socket = open()) {
            assertThat(untilClosed(socket, System.nanoTime())).isBetween(2900L, 7000L);
        }
    }

    @Test
    void aBodyThatStopsIsClosedAfterTheBodyTimeout() throws Exception {
        try (Socket socket = open()) {
            long start = System.nanoTime();
            socket.getOutputStream().write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nten bytes!"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(untilClosed(socket, start)).as("the body's deadline, not the longer head timeout").isBetween(500L, 2500L);
        }
        assertThat(closed).contains(ConnectionGuard.Phase.BODY);
    }

    @Test
    void anIdleKeepAliveIsClosedAfterTheIdleTimeoutAndABusyOneIsNot() throws Exception {
        try (Socket socket = open()) {
            long answered = 0;
            // Requests every 150 ms, each within the idle timeout: the connection lives on past it.
            for (int i = 0; i < 5; i++) {
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] answer = new byte[256];
                int read = socket.getInputStream().read(answer);
                assertThat(new String(answer, 0, read, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
                answered = System.nanoTime();
                Thread.sleep(150);
            }
            assertThat(untilClosed(socket, answered)).as("closed after the idle timeout, not the longer head timeout")
                    .isBetween(300L, 2500L);
        }
        assertThat(closed).contains(ConnectionGuard.Phase.IDLE);
    }
}
