package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order of the system calls as the writer makes them, seen through its file channel: every
 * acknowledgement comes after an {@code fsync} ({@link FileChannel#force}) that covers the record's
 * bytes, and records nobody waits for are forced within the group-commit window. A writer that stopped
 * forcing, or acknowledged before forcing, fails this test.
 */
@DisplayName("Records reach the disk before the answer they vouch for")
class DurabilityOrderTest {

    static final Duration WINDOW = Duration.ofMillis(50);
    /** The machine is shared: how late past the window a timer may fire without the test calling it a fault. */
    static final long SLACK_NANOS = Duration.ofMillis(400).toNanos();

    @TempDir
    Path dir;

    /** What happened, in order: a write ending at a file size, a force covering a file size, an acknowledgement. */
    record Event(String kind, long value, long nanos) {
    }

    private final List<Event> events = new ArrayList<>();

    private synchronized void log(String kind, long value) {
        events.add(new Event(kind, value, System.nanoTime()));
    }

    private synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** The day's file as the writer sees it, logging each write and each force with the size it covers. */
    private final class Watched extends ForwardingFileChannel {
        Watched(FileChannel real) {
            super(real);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = real.write(src);
            log("write", real.size());
            return n;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            long covered = real.size();
            real.force(metaData);
            log("force", covered);
        }
    }

    private AuditWriter writer() {
        return new AuditWriter(dir, "gateway", WINDOW, 1000, Duration.ofSeconds(1), Clock.systemUTC(),
                file -> new Watched(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE)));
    }

    /** Where each record's line ends in the file (its bytes are [previous end, end)). */
    private List<Long> lineEnds() throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                ends.add((long) i + 1);
            }
        }
        return ends;
    }

    /** The acknowledgement of record {@code index} and the last force before it. */
    private void assertForcedBeforeAck(List<Event> seen, int index, long end) {
        int ack = -1;
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).kind().equals("ack") && seen.get(i).value() == index) {
                ack = i;
            }
        }
        assertThat(ack).as("record %d acknowledged", index).isNotNegative();
        long forced = -1;
        for (int i = 0; i < ack; i++) {
            if (seen.get(i).kind().equals("force")) {
                forced = seen.get(i).value();
            }
        }
        assertThat(forced).as("bytes forced before the acknowledgement of record %d (its line ends at %d); events: %s",
                index, end, seen).isGreaterThanOrEqualTo(end);
    }

    @Test
    @DisplayName("a refusal or login (urgent) is acknowledged only after a force that covers it")
    void urgentRecordsAreForcedBeforeTheirAcknowledgement() throws Exception {
        try (AuditWriter writer = writer()) {
            for (int i = 0; i < 5; i++) {
                int n = i;
                CompletableFuture<Void> done = writer.append(AuditTrailTest.record(i), true);
                done.whenComplete((ok, failed) -> log("ack", n));
                done.join();
            }
        }
        List<Long> ends = lineEnds();
        List<Event> seen = events();
        for (int i = 0; i < 5; i++) {
            assertForcedBeforeAck(seen, i, ends.get(i));
        }
    }

    @Test
    @DisplayName("an allowed request's record is forced within the group-commit window, before any acknowledgement")
    void allowedRecordsAreForcedWithinTheWindow() throws Exception {
        List<Long> delays = new ArrayList<>();
        try (AuditWriter writer = writer()) {
            writer.append(AuditTrailTest.record(0), true).join();
            for (int round = 0; round < 3; round++) {
                int before = lineCount();
                long queued = System.nanoTime();
                // As the gateway hands over an event loop's allowed requests: nobody waits for them.
                writer.appendAll(List.of(AuditTrailTest.record(1), AuditTrailTest.record(2), AuditTrailTest.record(3)));
                Event forced = awaitForceCovering(before + 3, queued);
                delays.add(forced.nanos() - queued);
            }
            // The same for a non-urgent record someone does wait for: its acknowledgement follows the force.
            CompletableFuture<Void> done = writer.append(AuditTrailTest.record(4), false);
            done.whenComplete((ok, failed) -> log("ack", 4));
            done.join();
        }
        List<Long> ends = lineEnds();
        assertThat(ends).hasSize(11);
        assertForcedBeforeAck(events(), 4, ends.get(10));
        assertThat(delays).as("nanoseconds from hand-over to the force covering the records")
                .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(WINDOW.toNanos() + SLACK_NANOS));
    }

    private int lineCount() throws IOException {
        return lineEnds().size();
    }

    /** Waits (at most two seconds) for a force covering the first {@code lines} lines, made after {@code after}. */
    private Event awaitForceCovering(int lines, long after) throws Exception {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<Long> ends = lineEnds();
            if (ends.size() >= lines) {
                long end = ends.get(lines - 1);
                for (Event e : events()) {
                    if (e.kind().equals("force") && e.nanos() >= after && e.value() >= end) {
                        return e;
                    }
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("records handed over were not forced within two seconds; events: " + events());
    }
}
