package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Syslog forwarding to a SIEM (RFC 5424 over TCP, octet counting)")
class SyslogForwarderTest {

    @TempDir
    Path dir;

    /** A SIEM that reads octet-counted frames until its connection closes. */
    static final class Siem implements AutoCloseable {
        final ServerSocket server;
        final List<String> received;
        final Thread thread;
        volatile Socket connection;

        Siem(int port, List<String> received) throws IOException {
            this.server = new ServerSocket(port, 5, InetAddress.getLoopbackAddress());
            this.received = received;
            this.thread = new Thread(() -> {
                try (Socket socket = server.accept(); DataInputStream in = new DataInputStream(socket.getInputStream())) {
                    connection = socket;
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
                } catch (IOException ignored) {
                    // connection closed: the outage under test
                }
            });
            thread.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            if (connection != null) {
                connection.close();
            }
        }
    }

    private static void await(List<String> received, int count) throws InterruptedException {
        for (int i = 0; i < 200 && received.size() < count; i++) {
            Thread.sleep(50);
        }
    }

    @Test
    void emergencyRecordsGoOutAtSeverityAlertAndNothingElseDoes() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (SyslogForwarder forwarder = new SyslogForwarder(dir, "keycloak", "127.0.0.1", port, false)) {
            String ts = "{\"ts\":\"2026-12-07T06:00:00.000Z\",\"source\":\"keycloak\",";
            assertThat(new String(forwarder.frame(ts + "\"event\":\"emergency_access\",\"outcome\":\"success\"}"),
                    StandardCharsets.UTF_8)).contains(" <105>1 ");
            assertThat(new String(forwarder.frame(ts + "\"event\":\"emergency_alert\",\"outcome\":\"failure\"}"),
                    StandardCharsets.UTF_8)).contains(" <105>1 ");
            assertThat(new String(forwarder.frame(ts + "\"event\":\"login\",\"outcome\":\"success\"}"),
                    StandardCharsets.UTF_8)).contains(" <110>1 ");
            // A value that spells the marker is escaped in JSON: it never raises the severity.
            assertThat(new String(forwarder.frame(ts + "\"event\":\"login_error\",\"reason\":"
                    + "\"\\\"event\\\":\\\"emergency_access\\\"\"}"), StandardCharsets.UTF_8)).contains(" <110>1 ");
        }
    }

    @Test
    @Timeout(60)
    void aSiemOutageDelaysRecordsButLosesNone() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(5), 100, Duration.ofHours(1), Clock.systemUTC());
             SyslogForwarder forwarder = new SyslogForwarder(dir, "gateway", "127.0.0.1", port, false)) {
            Siem siem = new Siem(port, received);
            for (int i = 0; i < 10; i++) {
                writer.append(AuditTrailTest.record(i), true).join();
            }
            await(received, 10);
            assertThat(received).hasSize(10);
            assertThat(received.get(0)).startsWith("<110>1 ").contains(" hc-broker - gateway - {\"ts\":")
                    .contains("\"path\":\"/echo/0\"");

            siem.close(); // SIEM down: records keep being written to disk, some sent into the dead connection
            for (int i = 10; i < 20; i++) {
                writer.append(AuditTrailTest.record(i), true).join();
                Thread.sleep(30);
            }
            Thread.sleep(500);
            try (Siem back = new Siem(port, received)) {
                await(received, 20);
                for (int i = 0; i < 20; i++) {
                    String path = "\"path\":\"/echo/" + i + "\"";
                    assertThat(received).as("record %d", i).anyMatch(m -> m.contains(path));
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void aLineTheWriterIsStillAppendingIsNeverSentInPieces() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path file = dir.resolve("gateway-2026-11-22.jsonl");
        String first = "{\"ts\":\"2026-11-22T10:00:00.000Z\",\"event\":\"access\",\"n\":1}";
        String second = "{\"ts\":\"2026-11-22T10:00:01.000Z\",\"event\":\"access\",\"n\":2}";
        java.nio.file.Files.writeString(file, first + "\n" + second.substring(0, 20));
        try (Siem siem = new Siem(port, received);
             SyslogForwarder forwarder = new SyslogForwarder(dir, "gateway", "127.0.0.1", port, false)) {
            await(received, 1);
            Thread.sleep(500);
            assertThat(received).hasSize(1);
            assertThat(received.get(0)).endsWith(first);
            java.nio.file.Files.writeString(file, second.substring(20) + "\n", java.nio.file.StandardOpenOption.APPEND);
            await(received, 2);
            assertThat(received).hasSize(2);
            assertThat(received.get(1)).endsWith(" - " + second);
        }
    }

    @Test
    @Timeout(120)
    void aBacklogLargerThanOneReadIsSentWholeBeforeTheNextDaysFile() throws Exception {
        // Lines of 64 bytes: the first read of the older file ends exactly at a line's end, the case
        // that once moved on to the next file and left the rest of this one unsent.
        int lines = SyslogForwarder.CHUNK / 64 + 10;
        StringBuilder day1 = new StringBuilder(lines * 64);
        for (int i = 0; i < lines; i++) {
            String line = "{\"ts\":\"2026-11-21T10:00:00.000Z\",\"n\":" + i + "}";
            day1.append(line).append(" ".repeat(63 - line.length())).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve("gateway-2026-11-21.jsonl"), day1);
        java.nio.file.Files.writeString(dir.resolve("gateway-2026-11-22.jsonl"), "{\"ts\":\"2026-11-22T00:00:01.000Z\",\"n\":0}\n");
        List<String> received = new CopyOnWriteArrayList<>();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (Siem siem = new Siem(port, received);
             SyslogForwarder forwarder = new SyslogForwarder(dir, "gateway", "127.0.0.1", port, false)) {
            for (int i = 0; i < 1200 && received.size() < lines + 1; i++) {
                Thread.sleep(50);
            }
            assertThat(received).hasSize(lines + 1);
            assertThat(received.get(lines - 1)).contains("\"n\":" + (lines - 1) + "}");
            assertThat(received.get(lines)).contains("2026-11-22");
        }
    }

    @Test
    @Timeout(60)
    void aSiemThatStopsReadingThenResetsGetsTheRecordsAgain() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(5), 100, Duration.ofHours(1), Clock.systemUTC())) {
            // A SIEM that accepts the connection and never reads: the records sit in the buffers.
            try (ServerSocket stuck = new ServerSocket(port, 5, InetAddress.getLoopbackAddress());
                 SyslogForwarder forwarder = new SyslogForwarder(dir, "gateway", "127.0.0.1", port, false)) {
                Socket accepted = stuck.accept();
                for (int i = 0; i < 5; i++) {
                    writer.append(AuditTrailTest.record(i), true).join();
                }
                Thread.sleep(1000);
                accepted.setSoLinger(true, 0);
                accepted.close(); // reset: what it held is gone
                stuck.close();
                try (Siem back = new Siem(port, received)) {
                    await(received, 5);
                }
            }
        }
        for (int i = 0; i < 5; i++) {
            String path = "\"path\":\"/echo/" + i + "\"";
            assertThat(received).as("record %d", i).anyMatch(m -> m.contains(path));
        }
    }
}
