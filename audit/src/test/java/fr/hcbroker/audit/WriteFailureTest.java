package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
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
            failing = false;
            writer.append(AuditTrailTest.record(4), true).get();
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
    private static final class Flaky extends FileChannel {
        private final FileChannel real;

        Flaky(FileChannel real) {
            this.real = real;
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

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            throw new IOException("not used by the writer");
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            throw new IOException("not used by the writer");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
