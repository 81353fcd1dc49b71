package fr.hcbroker.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Forwards the audit files of a directory to a SIEM as RFC 5424 syslog. The JSON-lines files are the
 * disk buffer: a cursor file ({@code <prefix>.syslog-cursor}: file name and byte offset) records what
 * the SIEM has been sent, and moves only after a batch was written and flushed to the socket. While
 * the SIEM is unreachable nothing moves and nothing is dropped; once it is back, forwarding resumes
 * from the cursor, in chain order. Delivery is at least once (a crash between send and cursor save
 * resends a batch): the SIEM deduplicates by the record's {@code hash}.
 */
public final class SyslogForwarder implements AutoCloseable {

    private final Path dir;
    private final String prefix;
    private final SyslogTarget target;
    private final String hostname;
    private final ScheduledExecutorService scheduler;
    private Socket socket;

    public SyslogForwarder(Path dir, String prefix, SyslogTarget target, String hostname) {
        this.dir = dir;
        this.prefix = prefix;
        this.target = target;
        this.hostname = hostname;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "hc-audit-syslog-" + prefix);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Forwards on its own thread every {@code interval} until closed. */
    public SyslogForwarder start(Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                forwardPending();
            } catch (IOException outage) {
                // The SIEM or the network is down: the cursor stays put and the next round retries.
                disconnect();
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Sends every complete record after the cursor; returns how many were sent. */
    public synchronized long forwardPending() throws IOException {
        Cursor cursor = Cursor.read(cursorFile());
        long sent = 0;
        for (Path file : files()) {
            String name = file.getFileName().toString();
            if (cursor.file() != null && name.compareTo(cursor.file()) < 0) {
                continue;
            }
            long offset = name.equals(cursor.file()) ? cursor.offset() : 0;
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length <= offset) {
                    continue;
                }
                byte[] bytes = new byte[(int) (length - offset)];
                in.seek(offset);
                in.readFully(bytes);
                int end = lastNewline(bytes);
                if (end < 0) {
                    continue;
                }
                OutputStream out = connection().getOutputStream();
                int start = 0;
                for (int i = 0; i <= end; i++) {
                    if (bytes[i] == '\n') {
                        String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                        out.write(SyslogMessage.framed(line, hostname, "hc-" + prefix));
                        sent++;
                        start = i + 1;
                    }
                }
                out.flush();
                cursor = new Cursor(name, offset + end + 1);
                cursor.write(cursorFile());
            }
        }
        return sent;
    }

    private Socket connection() throws IOException {
        if (socket == null || socket.isClosed()) {
            socket = target.connect();
        }
        return socket;
    }

    private synchronized void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already broken: nothing more to release
            }
            socket = null;
        }
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().startsWith(prefix + "-")
                    && p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    private Path cursorFile() {
        return dir.resolve(prefix + ".syslog-cursor");
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnect();
    }

    /** How far forwarding got: a file name and the byte offset after the last record sent. */
    record Cursor(String file, long offset) {

        static Cursor read(Path path) throws IOException {
            if (!Files.exists(path)) {
                return new Cursor(null, 0);
            }
            String[] parts = Files.readString(path, StandardCharsets.UTF_8).strip().split(" ");
            return new Cursor(parts[0], Long.parseLong(parts[1]));
        }

        /** Replaced atomically, so a crash leaves the old cursor or the new one, never half of one. */
        void write(Path path) throws IOException {
            Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
            Files.writeString(tmp, file + " " + offset + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
