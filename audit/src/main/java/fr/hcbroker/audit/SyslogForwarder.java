package fr.hcbroker.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocketFactory;

/**
 * Forwards audit records to a SIEM as RFC 5424 syslog messages over TCP or TLS, framed by octet
 * counting (RFC 6587). The JSON-lines files are the buffer: the forwarder reads them from a saved
 * position ({@code <prefix>.syslog-offset}) that moves only after the SIEM connection accepted the
 * bytes, so an outage delays records but loses none (a record may be sent twice around a failure).
 */
public final class SyslogForwarder implements AutoCloseable {

    /** How much of a file is read at once: a backlog after a long outage is sent in parts. */
    static final int CHUNK = 8 << 20;

    /**
     * How long the connection must stay open after a send before its position is saved. TCP syslog
     * has no acknowledgement: a SIEM that stops reading (paused, or a black hole on the way) and then
     * resets the connection loses what sat in the buffers, and only what was sent within this time
     * is sent again.
     */
    private static final long SETTLE_NANOS = 2_000_000_000L;

    /** facility 13 (log audit) × 8 + severity 6 (informational). */
    private static final int PRIORITY = 13 * 8 + 6;
    /** facility 13 × 8 + severity 1 (alert): emergency accesses and their alerts, which the SIEM must page on. */
    static final int ALERT_PRIORITY = 13 * 8 + 1;
    private static final java.util.regex.Pattern ALERT_EVENT =
            java.util.regex.Pattern.compile("\"event\":\"emergency_(access|alert)\"");

    private final Path dir;
    private final String prefix;
    private final String host;
    private final int port;
    private final boolean tls;
    private final String hostname;
    private final Thread thread;
    private volatile boolean closed;

    public SyslogForwarder(Path dir, String prefix, String host, int port, boolean tls) {
        this.dir = dir;
        this.prefix = prefix;
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.hostname = localHostname();
        thread = new Thread(this::run, "hc-audit-syslog-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Duration backoff = Duration.ofMillis(200);
        Path offsetFile = dir.resolve(prefix + ".syslog-offset");
        while (!closed) {
            try (Socket socket = connect()) {
                backoff = Duration.ofMillis(200);
                OutputStream out = socket.getOutputStream();
                Offset committed = Offset.read(offsetFile);
                Offset sent = committed;
                Offset checked = committed;
                long lastCheck = System.nanoTime();
                while (!closed) {
                    // A write can "succeed" into a dead connection. A position is saved only once a
                    // liveness check made SETTLE after its send still finds the connection open;
                    // anything later is sent again after a failure.
                    if (System.nanoTime() - lastCheck > SETTLE_NANOS) {
                        requireOpen(socket);
                        if (!checked.equals(committed)) {
                            Offset.write(offsetFile, checked);
                            committed = checked;
                        }
                        checked = sent;
                        lastCheck = System.nanoTime();
                    }
                    Offset next = send(out, sent);
                    if (next.equals(sent)) {
                        Thread.sleep(50);
                    }
                    sent = next;
                }
            } catch (IOException e) {
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The SIEM never sends; end of stream means it closed the connection. */
    private static void requireOpen(Socket socket) throws IOException {
        socket.setSoTimeout(5);
        try {
            if (socket.getInputStream().read() < 0) {
                throw new IOException("the SIEM closed the connection");
            }
        } catch (java.net.SocketTimeoutException alive) {
            // nothing to read and not closed: the connection is open
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5000);
        if (!tls) {
            return socket;
        }
        javax.net.ssl.SSLSocket secure = (javax.net.ssl.SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(socket, host, port, true);
        javax.net.ssl.SSLParameters params = secure.getSSLParameters();
        // Without this JSSE checks the chain but not that the certificate names the SIEM's host.
        params.setEndpointIdentificationAlgorithm("HTTPS");
        secure.setSSLParameters(params);
        secure.startHandshake();
        return secure;
    }

    /** Sends what was written after {@code from}; returns the new position. */
    private Offset send(OutputStream out, Offset from) throws IOException {
        Offset position = from;
        for (Path file : files()) {
            String name = file.getFileName().toString();
            if (position.file() != null && name.compareTo(position.file()) < 0) {
                continue;
            }
            long start = name.equals(position.file()) ? position.position() : 0;
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length <= start) {
                    continue;
                }
                boolean more = length - start > CHUNK;
                byte[] bytes = new byte[(int) Math.min(length - start, CHUNK)];
                in.seek(start);
                in.readFully(bytes);
                // Only complete lines: the writer may be mid-append, and half a record must never go out.
                int lineStart = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == '\n') {
                        out.write(frame(new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8)));
                        lineStart = i + 1;
                        position = new Offset(name, start + lineStart);
                    }
                }
                if (lineStart < bytes.length || more) {
                    // A line still being written, or the rest of a long backlog: this file first.
                    out.flush();
                    return position;
                }
            }
            out.flush();
        }
        return position;
    }

    /** {@code LEN SP <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG}. */
    byte[] frame(String jsonRecord) {
        String ts = jsonRecord.replaceFirst("^\\{\"ts\":\"([^\"]*)\".*$", "$1");
        int priority = ALERT_EVENT.matcher(jsonRecord).find() ? ALERT_PRIORITY : PRIORITY;
        String message = "<" + priority + ">1 " + (ts.startsWith("{") ? "-" : ts) + " " + hostname + " hc-broker - "
                + prefix + " - " + jsonRecord;
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        byte[] header = (bytes.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] framed = new byte[header.length + bytes.length];
        System.arraycopy(header, 0, framed, 0, header.length);
        System.arraycopy(bytes, 0, framed, header.length, bytes.length);
        return framed;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().startsWith(prefix + "-")
                    && p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    private record Offset(String file, long position) {
        static Offset read(Path path) throws IOException {
            if (!Files.exists(path)) {
                return new Offset(null, 0);
            }
            String[] parts = Files.readString(path).strip().split(" ");
            return parts.length == 2 ? new Offset(parts[0], Long.parseLong(parts[1])) : new Offset(null, 0);
        }

        static void write(Path path, Offset offset) throws IOException {
            Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
            Files.writeString(tmp, offset.file() + " " + offset.position());
            Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static String localHostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "-";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
