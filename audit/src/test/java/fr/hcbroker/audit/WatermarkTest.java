package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The audit volume's free space")
class WatermarkTest {

    private static final long LOW = 1_000_000;
    private static final long CRITICAL = 100_000;

    @TempDir
    Path dir;

    /** What the fake volume says it has free. */
    private final AtomicLong free = new AtomicLong(10 * LOW);

    private AuditWriter writer() {
        // A checkpoint only every 1000 records or 1 h: the signature of the last records comes from the watermark.
        return new AuditWriter(dir, "gateway", Duration.ofMillis(5), 1000, Duration.ofHours(1), Clock.systemUTC(),
                file -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
                free::get, LOW, CRITICAL);
    }

    private Path file() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
    }

    @Test
    @DisplayName("is a gauge, and below the low watermark a flag while records are still written")
    void belowTheLowWatermarkRecordsAreStillWrittenAndFlagged() throws Exception {
        try (AuditWriter writer = writer()) {
            writer.append(AuditTrailTest.record(1), true).get();
            assertThat(writer.freeBytes()).isEqualTo(10 * LOW);
            assertThat(writer.belowLowWatermark()).isFalse();
            free.set(LOW - 1);
            writer.append(AuditTrailTest.record(2), true).get();
            assertThat(writer.freeBytes()).isEqualTo(LOW - 1);
            assertThat(writer.belowLowWatermark()).isTrue();
            assertThat(writer.belowCriticalWatermark()).isFalse();
            assertThat(writer.writable()).isTrue();
            assertThat(writer.lostRecords()).isZero();
        }
        assertThat(Files.readAllLines(file())).hasSize(2);
    }

    @Test
    @DisplayName("below the critical watermark: records refused before the disk fills, the written ones signed, none torn")
    void belowTheCriticalWatermarkBatchesAreRefusedAndWhatIsWrittenIsSigned() throws Exception {
        try (AuditWriter writer = writer()) {
            writer.append(AuditTrailTest.record(1), true).get();
            writer.append(AuditTrailTest.record(2), true).get();
            free.set(CRITICAL - 1);
            assertThat(writer.belowCriticalWatermark()).isTrue();
            assertThatThrownBy(() -> writer.append(AuditTrailTest.record(3), true).get())
                    .isInstanceOf(ExecutionException.class).hasMessageContaining("critical watermark");
            writer.appendAll(List.of(AuditTrailTest.record(4), AuditTrailTest.record(5)));
            Thread.sleep(100);
            // The gateway reads this to apply audit.onWriteFailure (refuse or serve) and to turn /readyz not ready.
            assertThat(writer.writable()).isFalse();
            assertThat(writer.lostRecords()).isEqualTo(3);
            // Before any close: the two records written are already under a signed checkpoint, whole lines.
            Path file = file();
            byte[] bytes = Files.readAllBytes(file);
            assertThat(bytes[bytes.length - 1]).isEqualTo((byte) '\n');
            AuditVerifier.Result result = AuditVerifier.verify(List.of(file), AuditTrailTest.key(dir));
            assertThat(result.proven()).as(result.message()).isTrue();
            assertThat(result.records()).isEqualTo(2);

            free.set(CRITICAL);
            writer.append(AuditTrailTest.record(6), true).get();
            assertThat(writer.writable()).as("writable again once space is back").isTrue();
        }
        Path file = file();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).contains("\"user\":\"user6\"");
        AuditVerifier.Result result = AuditVerifier.verify(List.of(file), AuditTrailTest.key(dir));
        assertThat(result.proven()).as(result.message()).isTrue();
        assertThat(result.records()).isEqualTo(3);
    }

    @Test
    @DisplayName("that cannot be read counts as below every watermark: refused, not written blind")
    void aVolumeThatCannotBeAskedIsBelowEveryWatermark() throws Exception {
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(5), 1000, Duration.ofHours(1),
                Clock.systemUTC(), file -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE), () -> {
                    throw new java.io.IOException("statvfs failed");
                }, LOW, CRITICAL)) {
            assertThat(writer.freeBytes()).isEqualTo(-1);
            assertThat(writer.belowLowWatermark()).isTrue();
            assertThatThrownBy(() -> writer.append(AuditTrailTest.record(1), true).get())
                    .hasMessageContaining("critical watermark");
            assertThat(writer.writable()).isFalse();
        }
    }

    @Test
    @DisplayName("of the real volume is the volume's, found once the directory exists and asked again each time")
    void theRealVolumeIsFoundOnceAndAskedEachTime() throws Exception {
        Path later = dir.resolve("not-yet");
        AuditWriter.FreeSpace space = AuditWriter.FreeSpace.of(later);
        assertThatThrownBy(space::usableBytes).isInstanceOf(java.io.IOException.class);
        Files.createDirectories(later);
        long expected = Files.getFileStore(later).getUsableSpace();
        // Other processes write to the same disk meanwhile: the same figure within 64 MiB.
        assertThat(space.usableBytes()).isPositive().isCloseTo(expected, org.assertj.core.data.Offset.offset(64L << 20));
        // Asked again, not remembered: a file taking room shows at once.
        long before = space.usableBytes();
        Files.write(dir.resolve("room"), new byte[8 << 20], StandardOpenOption.CREATE, StandardOpenOption.SYNC);
        assertThat(space.usableBytes()).isLessThan(before);
    }
}
