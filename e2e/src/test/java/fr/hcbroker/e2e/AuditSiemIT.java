package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import fr.hcbroker.stack.pki.ServerTls;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real gateway process forwards its audit records to a SIEM as RFC 5424 syslog over TLS (RFC 5425,
 * octet counting), trusting the SIEM's CA through the JVM's standard trust store settings; while the
 * SIEM is down, records wait on disk and arrive, none missing, once it is back.
 */
@DisplayName("Audit trail: forwarding to a SIEM over TLS, through an outage")
@Timeout(120)
class AuditSiemIT {

    private Process gateway;
    private HttpServer upstream;
    private TlsSiem siem;

    /** A SIEM's TLS syslog listener: reads octet-counted frames from one connection at a time. */
    static final class TlsSiem implements AutoCloseable {
        final List<String> received;
        private final SSLServerSocket server;
        private final List<Socket> connections = new CopyOnWriteArrayList<>();

        TlsSiem(SSLContext tls, int port, List<String> received) throws IOException {
            this.received = received;
            server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        connections.add(socket);
                        new Thread(() -> read(socket)).start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
        }

        private void read(Socket socket) {
            try (DataInputStream in = new DataInputStream(socket.getInputStream())) {
                while (true) {
                    StringBuilder length = new StringBuilder();
                    int c;
                    while ((c = in.read()) != ' ') {
                        if (c < 0) {
                            return;
                        }
                        length.append((char) c);
                    }
                    byte[] frame = new byte[Integer.parseInt(length.toString())];
                    in.readFully(frame);
                    received.add(new String(frame, StandardCharsets.UTF_8));
                }
            } catch (IOException closed) {
                // the outage under test, or the end of the test
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : connections) {
                socket.close();
            }
        }
    }

    @AfterEach
    void stop() throws IOException {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
        if (siem != null) {
            siem.close();
        }
    }

    @Test
    void recordsReachTheSiemOverTlsAndAnOutageLosesNone(@TempDir Path dir) throws Exception {
        ServerTls siemTls = ServerTls.generate(dir.resolve("siem"));
        SSLContext serverContext = serverContext(siemTls.keyStore());
        Path trust = ServerTls.trustStore(dir.resolve("gateway-trust.p12"), List.of(siemTls.ca()));
        int siemPort = GatewayProcess.freePort();
        List<String> received = new CopyOnWriteArrayList<>();
        siem = new TlsSiem(serverContext, siemPort, received);

        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.start();
        int port = GatewayProcess.freePort();
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, GatewayProcess.config(port, dir.resolve("audit"), upstream.getAddress().getPort(),
                ", syslog: {host: 127.0.0.1, port: " + siemPort + ", tls: true}" + GatewayProcess.ONE_BY_ONE));
        gateway = GatewayProcess.start(config, dir.resolve("gateway.log"), port, List.of(
                "-Djavax.net.ssl.trustStore=" + trust, "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-Djavax.net.ssl.trustStorePassword=" + ServerTls.PASSWORD));
        HttpClient http = HttpClient.newHttpClient();

        List<String> before = refusals(http, port, 20);
        awaitAll(received, before);
        assertThat(received.get(0)).as("RFC 5424 header").matches("(?s)<\\d{1,3}>1 \\d{4}-\\d\\d-\\d\\dT\\S+ \\S+ \\S+ .*");

        siem.close();
        List<String> during = refusals(http, port, 30);
        Thread.sleep(1000);
        assertThat(received).as("nothing can arrive while the SIEM is down")
                .noneMatch(m -> during.stream().anyMatch(m::contains));
        siem = new TlsSiem(serverContext, siemPort, received);
        awaitAll(received, during);
        gateway.destroy();
        assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }

    /** Sends {@code n} refused requests (a form post without a session: 401, recorded before the answer). */
    private static List<String> refusals(HttpClient http, int port, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "siem-" + UUID.randomUUID();
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/form"))
                    .header("x-request-id", id).POST(HttpRequest.BodyPublishers.ofString("a=1")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).isEqualTo(401);
            ids.add(id);
        }
        return ids;
    }

    private static void awaitAll(List<String> received, List<String> ids) throws InterruptedException {
        for (int i = 0; i < 400 && !ids.stream().allMatch(id -> received.stream().anyMatch(m -> m.contains(id))); i++) {
            Thread.sleep(100);
        }
        assertThat(ids).as("every record reached the SIEM (%d messages received)", received.size())
                .allMatch(id -> received.stream().anyMatch(m -> m.contains(id)));
    }

    private static SSLContext serverContext(Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, ServerTls.PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, ServerTls.PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }
}
