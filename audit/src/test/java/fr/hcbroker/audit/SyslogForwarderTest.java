package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Syslog forwarding to a SIEM")
class SyslogForwarderTest {

    @TempDir
    Path dir;

    private final List<ServerSocket> servers = new ArrayList<>();

    @AfterEach
    void stopServers() throws IOException {
        for (ServerSocket server : servers) {
            server.close();
        }
    }

    @Test
    void everyRecordArrivesInChainOrderAsOctetCountedRfc5424() throws Exception {
        writeRecords(12);
        Siem siem = new Siem(listen(new ServerSocket(0)));
        try (SyslogForwarder forwarder = forwarder(siem.port(), null)) {
            assertThat(forwarder.forwardPending()).isEqualTo(12);
        }
        List<String> messages = siem.await(12);
        List<String> lines = lines();
        for (int i = 0; i < 12; i++) {
            assertThat(messages.get(i)).startsWith("<85>1 ").contains(" hc-gateway - access - ")
                    .endsWith(lines.get(i));
        }
    }

    @Test
    void aSiemOutageLosesNothingAndResumesFromTheCursor() throws Exception {
        writeRecords(5);
        ServerSocket reserved = new ServerSocket(0);
        int port = reserved.getLocalPort();
        reserved.close();
        try (SyslogForwarder forwarder = forwarder(port, null)) {
            assertThatThrownBy(forwarder::forwardPending).isInstanceOf(IOException.class);
            writeRecords(4);
            Siem siem = new Siem(listen(new ServerSocket(port)));
            assertThat(forwarder.forwardPending()).isEqualTo(9);
            assertThat(forwarder.forwardPending()).isZero();
            List<String> messages = siem.await(9);
            List<String> lines = lines();
            for (int i = 0; i < 9; i++) {
                assertThat(messages.get(i)).endsWith(lines.get(i));
            }
        }
    }

    @Test
    void aForwarderRestartedLaterSendsOnlyWhatItHadNotSent() throws Exception {
        writeRecords(3);
        Siem siem = new Siem(listen(new ServerSocket(0)));
        try (SyslogForwarder forwarder = forwarder(siem.port(), null)) {
            forwarder.forwardPending();
        }
        writeRecords(2);
        try (SyslogForwarder forwarder = forwarder(siem.port(), null)) {
            assertThat(forwarder.forwardPending()).isEqualTo(2);
        }
        assertThat(siem.await(5)).hasSize(5);
    }

    @Test
    void overTlsTheSiemCertificateIsChecked() throws Exception {
        writeRecords(4);
        Path store = keyStore("localhost");
        SSLContext context = tls(store);
        Siem siem = new Siem(listen(context.getServerSocketFactory().createServerSocket(0)));
        try (SyslogForwarder forwarder = forwarder(siem.port(), context.getSocketFactory())) {
            assertThat(forwarder.forwardPending()).isEqualTo(4);
        }
        assertThat(siem.await(4)).allSatisfy(m -> assertThat(m).startsWith("<85>1 "));
    }

    @Test
    void overTlsAnUntrustedSiemGetsNothing() throws Exception {
        writeRecords(2);
        SSLContext server = tls(keyStore("localhost"));
        SSLContext other = tls(keyStore("localhost"));
        Siem siem = new Siem(listen(server.getServerSocketFactory().createServerSocket(0)));
        try (SyslogForwarder forwarder = forwarder(siem.port(), other.getSocketFactory())) {
            assertThatThrownBy(forwarder::forwardPending).isInstanceOf(IOException.class);
        }
        assertThat(dir.resolve("gateway.syslog-cursor")).doesNotExist();
        assertThat(siem.received).isEmpty();
    }

    private SyslogForwarder forwarder(int port, SSLSocketFactory tls) {
        return new SyslogForwarder(dir, "gateway", new SyslogTarget("localhost", port, tls, Duration.ofSeconds(5)),
                "test-host");
    }

    private void writeRecords(int n) {
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(5), 50, Clock.systemUTC())) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                acks.add(writer.append(AuditTrailTest.record(i), false));
            }
            acks.forEach(CompletableFuture::join);
        }
    }

    private List<String> lines() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            Path file = files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        }
    }

    private ServerSocket listen(ServerSocket server) {
        servers.add(server);
        return server;
    }

    private Path keyStore(String name) throws Exception {
        Path store = Files.createTempFile(dir.getParent(), "siem", ".p12");
        Files.delete(store);
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "siem", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "san=dns:" + name, "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(output).isZero();
        return store;
    }

    /** The same store serves as the SIEM's key and the forwarder's trust anchor. */
    private static SSLContext tls(Path store) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /** A SIEM stand-in that reads octet-counted frames (RFC 6587) from every connection. */
    static final class Siem {
        final List<String> received = new CopyOnWriteArrayList<>();
        private final ServerSocket server;

        Siem(ServerSocket server) {
            this.server = server;
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread reader = new Thread(() -> read(socket));
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void read(Socket socket) {
            try (socket; DataInputStream in = new DataInputStream(socket.getInputStream())) {
                while (true) {
                    StringBuilder length = new StringBuilder();
                    int c;
                    while ((c = in.read()) != ' ') {
                        if (c < 0) {
                            return;
                        }
                        length.append((char) c);
                    }
                    byte[] message = new byte[Integer.parseInt(length.toString())];
                    in.readFully(message);
                    received.add(new String(message, StandardCharsets.UTF_8));
                }
            } catch (EOFException | javax.net.ssl.SSLException end) {
                // connection closed or refused by the handshake
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        List<String> await(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(received).hasSize(n);
            return received;
        }
    }
}
