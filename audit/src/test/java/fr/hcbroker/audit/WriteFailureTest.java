package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A write that fails (full disk, I/O error)")
class WriteFailureTest {

    @TempDir
    Path dir;

    /** When failing, a write puts half of what it was given on disk, then fails: a torn line, as on ENOSPC. */
    private static volatile boolean failing;

    @Test
    @DisplayName("refuses its records and the chain goes on from the last record on disk: the log verifies")
    void theChainGoesOnFromTheDisk() throws Exception {
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(5), 1000, Duration.ofSeconds(1),
                Clock.systemUTC(), file -> new Flaky(FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE)))) {
            writer.append(AuditTrailTest.record(1), true).get();
            writer.append(AuditTrailTest.record(2), true).get();
            failing = true;
            assertThatThrownBy(() -> writer.append(AuditTrailTest.record(3), true).get())
                    .isInstanceOf(ExecutionException.class).hasMessageContaining("No space left");
            assertThat(writer.writable()).as("not writable after a refused batch").isFalse();
            assertThat(writer.lostRecords()).isEqualTo(1);
            failing = false;
            writer.append(AuditTrailTest.record(4), true).get();
            assertThat(writer.writable()).as("writable again once a batch reaches the disk").isTrue();
            assertThat(writer.lostRecords()).isEqualTo(1);
            // What monitoring reads (hc_audit_records_written_total / _refused_total).
            assertThat(writer.written()).isEqualTo(3);
            assertThat(writer.refused()).isEqualTo(1);
            assertThat(writer.busySeconds()).isZero();
        }
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).contains("\"user\":\"user4\"");
        AuditVerifier.Result result = AuditVerifier.verify(List.of(file), AuditTrailTest.key(dir));
        assertThat(result.ok()).as(result.message()).isTrue();
        assertThat(result.records()).isEqualTo(3);
    }

    /** A file channel that fails writes while {@link #failing}; everything else as the real one. */
    private static final class Flaky extends ForwardingFileChannel {

        Flaky(FileChannel real) {
            super(real);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (failing) {
                ByteBuffer half = src.duplicate();
                half.limit(src.position() + src.remaining() / 2);
                real.write(half);
                throw new IOException("No space left on device");
            }
            return real.write(src);
        }
    }
}
