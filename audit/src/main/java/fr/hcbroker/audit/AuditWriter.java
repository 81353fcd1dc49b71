package fr.hcbroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Appends chained records to {@code <prefix>-<yyyy-mm-dd>.jsonl} in a directory, on its own thread.
 * A record's future completes once it is on disk (fsync). Urgent records (denials, logins) are
 * flushed at once; others wait at most the group-commit window, so one fsync serves many requests.
 * Each new day's file continues the chain of the previous one. A signed checkpoint goes to
 * {@code <file>.checkpoints} once {@code checkpointEvery} records or {@code checkpointInterval} have
 * passed since the last one, whichever comes first, and when a file is left (a new day, a close):
 * every record is vouched for by a signature within that interval, whatever the traffic, and a busy
 * writer signs a few times a second rather than per thousand records.
 */
public final class AuditWriter implements AutoCloseable {

    /** Opens a day's file for appending (a seam: tests make writes fail with it). */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path file) throws IOException;
    }

    /** The free bytes of the audit volume for this writer (a seam: tests give the figure). */
    @FunctionalInterface
    interface FreeSpace {
        long usableBytes() throws IOException;

        /**
         * The volume holding {@code dir}, looked up once: finding a path's volume reads the whole mount
         * table (80 µs on the benchmark machine, before every batch), asking it for its free space is
         * one statfs of the path (1 µs), which follows whatever is mounted there now.
         */
        static FreeSpace of(Path dir) {
            java.util.concurrent.atomic.AtomicReference<java.nio.file.FileStore> volume = new java.util.concurrent.atomic.AtomicReference<>();
            return () -> {
                java.nio.file.FileStore store = volume.get();
                if (store == null) {
                    store = Files.getFileStore(dir);
                    volume.set(store);
                }
                return store.getUsableSpace();
            };
        }
    }

    /**
     * Below this many free bytes the volume is low: a metric for an alert, records still written. At a
     * flood's 8 MB/s it leaves about four minutes before the critical watermark.
     */
    public static final long LOW_WATERMARK = 2L << 30;
    /**
     * Below this many free bytes the writer refuses batches as if the disk refused them (the gateway then
     * applies {@code audit.onWriteFailure}), before the disk is full: no record is torn, and the records
     * written are signed first. Enough for the checkpoints, a day's rotation and a retention archive step.
     */
    public static final long CRITICAL_WATERMARK = 256L << 20;

    /** Thrown for a batch refused at the critical watermark: nothing of it was written. */
    static final class BelowCriticalWatermark extends IOException {
        BelowCriticalWatermark(String message) {
            super(message);
        }
    }

    /** Records queued together; {@code done} is null when nobody waits for them. */
    private record Pending(List<? extends AuditEntry> records, boolean urgent, CompletableFuture<Void> done) {
    }

    private final Path dir;
    private final String prefix;
    private final Duration window;
    private final int checkpointEvery;
    private final long checkpointIntervalNanos;
    private final Clock clock;
    private final PrivateKey key;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    /** True while the writer sleeps with nothing queued: only then does a non-urgent record wake it. */
    private volatile boolean idle;

    private LocalDate day;
    private FileChannel channel;
    private long count;
    /** Records written since the last checkpoint, and when that checkpoint was made. */
    private long uncovered;
    private long checkpointedAt = System.nanoTime();
    /** The batch being written, and the chain's last hash. */
    private final SealedLines lines;
    private final Opener opener;
    /** A batch failed: what reached the disk is unknown until the files are read again. */
    private boolean broken;
    /** False from a refused batch until a batch reaches the disk again: the gateway's readiness and admission read it. */
    private volatile boolean writable = true;
    /** Records refused by the disk or handed over after close, since the start. */
    private final java.util.concurrent.atomic.LongAdder lost = new java.util.concurrent.atomic.LongAdder();
    private final List<String[]> checkpoints = new ArrayList<>();
    /** For monitoring (written by the writer thread only): records durable, records refused, and when
     *  the batch being written started (0 between batches), so a stuck disk shows while it is stuck. */
    private volatile long written;
    private volatile long refused;
    private volatile long batchStartedNanos;
    private final FreeSpace freeSpace;
    private final long lowWatermark;
    private final long criticalWatermark;

    public AuditWriter(Path dir, String prefix, Duration window, int checkpointEvery, Duration checkpointInterval,
                       Clock clock) {
        this(dir, prefix, window, checkpointEvery, checkpointInterval, clock, AuditWriter::open);
    }

    AuditWriter(Path dir, String prefix, Duration window, int checkpointEvery, Duration checkpointInterval,
                Clock clock, Opener opener) {
        this(dir, prefix, window, checkpointEvery, checkpointInterval, clock, opener,
                FreeSpace.of(dir), LOW_WATERMARK, CRITICAL_WATERMARK);
    }

    AuditWriter(Path dir, String prefix, Duration window, int checkpointEvery, Duration checkpointInterval,
                Clock clock, Opener opener, FreeSpace freeSpace, long lowWatermark, long criticalWatermark) {
        this.freeSpace = freeSpace;
        this.lowWatermark = lowWatermark;
        this.criticalWatermark = criticalWatermark;
        this.opener = opener;
        this.dir = dir;
        this.prefix = prefix;
        this.window = window;
        this.checkpointEvery = checkpointEvery;
        this.checkpointIntervalNanos = checkpointInterval.toNanos();
        this.clock = clock;
        try {
            Files.createDirectories(dir);
            this.key = CheckpointKeys.loadOrCreate(dir);
            this.lines = new SealedLines(lastHashOnDisk());
            signUnsignedTail();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot open the audit log in " + dir + ": " + e.getMessage(), e);
        }
        thread = new Thread(this::run, "hc-audit-writer-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    /** Records durable on disk since this writer started. */
    public long written() {
        return written;
    }

    /** Records refused since this writer started (their batch failed: a full disk, an I/O error). */
    public long refused() {
        return refused;
    }

    /** How long the batch being written has taken so far (sealing and fsync), 0 between batches. */
    public double busySeconds() {
        long started = batchStartedNanos;
        return started == 0 ? 0 : (System.nanoTime() - started) / 1e9;
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Queues a record; the future completes when it is durable, or fails if it cannot be written. */
    public CompletableFuture<Void> append(AuditRecord record, boolean urgent) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IllegalStateException("audit writer closed"));
            return done;
        }
        queue.add(new Pending(List.of(record), urgent, done));
        // Inside a group-commit window the writer sleeps until the window ends: waking it for every
        // allowed request would cost a thread switch each. Urgent records and an idle writer wake it.
        if (urgent || idle) {
            LockSupport.unpark(thread);
        }
        return done;
    }

    /**
     * Queues records nobody waits for (allowed requests), in their order, within the group-commit
     * window: one hand-over for many records, so the threads that make them and this writer share one
     * queue node per batch rather than per record. A failure to write them is reported on stderr.
     * Returns false, queuing nothing, once the writer is closed.
     */
    public boolean appendAll(List<? extends AuditEntry> records) {
        if (closed) {
            lost.add(records.size());
            return false;
        }
        queue.add(new Pending(records, false, null));
        if (idle) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /** False while the disk refuses records: from a failed batch until one is written again. */
    public boolean writable() {
        return writable;
    }

    /** Free bytes on the audit volume now; -1 if the volume cannot be asked (counted as below every watermark). */
    public long freeBytes() {
        try {
            return freeSpace.usableBytes();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** True while the audit volume has less free space than the low watermark: time to act before the critical one. */
    public boolean belowLowWatermark() {
        return freeBytes() < lowWatermark;
    }

    /** True while the audit volume has less free space than the critical watermark: records are refused. */
    public boolean belowCriticalWatermark() {
        return freeBytes() < criticalWatermark;
    }

    /** How many records the disk refused (or came after close) since the start: each a decision with no record. */
    public long lostRecords() {
        return lost.sum();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll();
                if (first == null) {
                    if (uncovered > 0 && checkpointDue()) {
                        checkpoint();
                        flush();
                        continue;
                    }
                    idle = true;
                    if (queue.isEmpty() && !closed) {
                        // Records not yet vouched for: wake when their checkpoint is due.
                        LockSupport.parkNanos(uncovered > 0
                                ? Math.max(1, checkpointedAt + checkpointIntervalNanos - System.nanoTime())
                                : 200_000_000L);
                    }
                    idle = false;
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + window.toNanos();
                boolean urgent = first.urgent();
                while (!urgent && !closed) {
                    urgent = drainInto(batch);
                    long left = deadline - System.nanoTime();
                    if (urgent || left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(left);
                }
                drainInto(batch);
                batchStartedNanos = System.nanoTime();
                writeBatch(batch);
            } catch (RuntimeException | IOException | GeneralSecurityException e) {
                System.err.println("hc-audit: cannot write to " + dir + " (" + batch.stream().mapToInt(p -> p.records().size()).sum() + " records refused): " + e);
                lines.reset();
                checkpoints.clear();
                // A batch refused at the watermark wrote nothing: the chain stands as it is.
                broken |= !(e instanceof BelowCriticalWatermark);
                writable = false;
                lost.add(batch.stream().mapToInt(p -> p.records().size()).sum());
                refused += batch.stream().mapToInt(p -> p.records().size()).sum();
                batchStartedNanos = 0;
                batch.stream().map(Pending::done).filter(java.util.Objects::nonNull)
                        .forEach(done -> done.completeExceptionally(e));
            }
            batch.clear();
        }
        try {
            if (uncovered > 0) {
                checkpoint();
                flush();
            }
        } catch (RuntimeException | IOException | GeneralSecurityException e) {
            System.err.println("hc-audit: last checkpoint of " + currentFile() + " not written: " + e.getMessage());
        }
    }

    /** Moves what is queued into {@code batch}; true if an urgent record came with it. */
    private boolean drainInto(List<Pending> batch) {
        boolean urgent = false;
        for (Pending next = queue.poll(); next != null; next = queue.poll()) {
            batch.add(next);
            urgent |= next.urgent();
        }
        return urgent;
    }

    private void writeBatch(List<Pending> batch) throws IOException, GeneralSecurityException {
        long free = freeBytes();
        if (free < criticalWatermark) {
            // Before the disk is full: what is written gets its signature while there is room for it.
            if (uncovered > 0 && !broken && channel != null) {
                checkpoint();
                flush();
            }
            throw new BelowCriticalWatermark("the audit volume has " + (free < 0 ? "an unknown number of" : free)
                    + " bytes free, below the critical watermark of " + criticalWatermark + ": records refused before it fills");
        }
        if (broken) {
            recover();
        }
        // Every record made before the first is sealed: one that cannot be made fails the batch with the
        // chain as it was.
        List<AuditRecord> records = new ArrayList<>();
        for (Pending pending : batch) {
            for (AuditEntry entry : pending.records()) {
                records.add(entry.record());
            }
        }
        for (AuditRecord record : records) {
            if (isNewDay()) {
                // A batch can span midnight: what belongs to the old day goes to the old file, which
                // ends with a checkpoint.
                if (uncovered > 0) {
                    checkpoint();
                }
                flush();
                rotate();
            }
            lines.seal(record);
            count++;
            if (++uncovered >= checkpointEvery) {
                checkpoint();
            }
        }
        if (uncovered > 0 && checkpointDue()) {
            checkpoint();
        }
        flush();
        writable = true;
        written += records.size();
        batchStartedNanos = 0;
        for (Pending pending : batch) {
            if (pending.done() != null) {
                pending.done().complete(null);
            }
        }
    }

    /**
     * After a failed batch (a full disk, an I/O error), the chain goes on from what the disk holds, not
     * from the records of that batch (refused: their futures failed): the file is reopened as at a
     * start (a torn last line cut off, its lines counted) and the last hash read back from it, so the
     * next record is chained to the last one really written and the verifier sees no gap. Retried at
     * each batch until it succeeds; a checkpoint then vouches for what the disk holds.
     */
    private void recover() throws IOException {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the channel is given up either way
            }
            channel = null;
        }
        rotate();
        lines.chainFrom(lastHashOnDisk());
        uncovered = 1;
        broken = false;
    }

    private boolean checkpointDue() {
        return System.nanoTime() - checkpointedAt >= checkpointIntervalNanos;
    }

    /** Queues a checkpoint for the chain as it stands; {@link #flush()} signs it once the lines are synced. */
    private void checkpoint() {
        checkpoints.add(new String[]{currentFile().getFileName().toString(), Long.toString(count), lines.lastHash()});
        uncovered = 0;
        checkpointedAt = System.nanoTime();
    }

    /** Writes and syncs the lines, then the checkpoints that vouch for them. */
    private void flush() throws IOException, GeneralSecurityException {
        if (lines.size() > 0) {
            ByteBuffer bytes = lines.bytes();
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
            lines.reset();
        }
        for (String[] cp : checkpoints) {
            writeCheckpoint(cp[0], Long.parseLong(cp[1]), cp[2], false);
        }
        checkpoints.clear();
    }

    private void writeCheckpoint(String file, long n, String hash, boolean recovered)
            throws IOException, GeneralSecurityException {
        String signature = CheckpointKeys.sign(key, recovered ? CheckpointKeys.recoveredStatement(file, n, hash)
                : CheckpointKeys.statement(file, n, hash));
        Map<String, Object> checkpoint = new java.util.LinkedHashMap<>(Map.of("ts", AuditRecord.timestamp(clock.instant()),
                "file", file, "count", n, "hash", hash, "sig", signature));
        if (recovered) {
            checkpoint.put("recovered", true);
        }
        String line = AuditChain.JSON.writeValueAsString(checkpoint) + "\n";
        Path checkpoints = dir.resolve(file + ".checkpoints");
        boolean created = !Files.exists(checkpoints);
        try (FileChannel cps = FileChannel.open(checkpoints, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
            cps.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            cps.force(false);
        }
        if (created) {
            syncDirectory(dir);
        }
    }

    /** Epoch-day arithmetic: converting each record's instant to a LocalDate allocates zone rules every time. */
    private boolean isNewDay() {
        return channel == null || Math.floorDiv(clock.millis(), 86_400_000L) != day.toEpochDay();
    }

    private void rotate() throws IOException {
        if (channel != null) {
            channel.close();
        }
        day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Path file = currentFile();
        dropTornTail(file);
        boolean created = !Files.exists(file);
        count = created ? 0 : lineCount(file);
        channel = opener.open(file);
        if (created) {
            syncDirectory(dir);
        }
    }

    /**
     * A new file's name is durable only once its directory is synced: without it, a power cut can
     * lose a file whose records were acknowledged. Not every platform can open a directory.
     */
    static void syncDirectory(Path dir) {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // Windows cannot open a directory as a channel; there the file's own sync is what there is
        }
    }

    private Path currentFile() {
        return dir.resolve(prefix + "-" + day + ".jsonl");
    }

    /** The chain continues from the newest file's last complete record (a torn last line is ignored). */
    private String lastHashOnDisk() throws IOException {
        List<Path> files = files();
        for (int i = files.size() - 1; i >= 0; i--) {
            String hash = lastHash(files.get(i));
            if (hash != null) {
                return hash;
            }
        }
        return AuditChain.GENESIS;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().startsWith(prefix + "-")
                    && p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    /**
     * A writer stopped by a crash left records after its last checkpoint (in any file, for a crash
     * before this version signed at start). This one vouches for them at its start with a recovered
     * checkpoint, signed apart: so a file no writer returns to is whole for the verifier, which refuses
     * unsigned records in any file but the last, and the verifier names those records as vouched for
     * only as found on disk after the crash, not as written.
     */
    private void signUnsignedTail() throws IOException, GeneralSecurityException {
        List<Path> files = files();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            dropTornTail(file);
            String hash = lastHash(file);
            if (hash == null) {
                continue;
            }
            long records = lineCount(file);
            JsonNode checkpoint = lastCheckpoint(file);
            if (checkpoint == null || checkpoint.path("count").asLong() < records) {
                writeCheckpoint(file.getFileName().toString(), records, hash, true);
            }
        }
    }

    /**
     * The hash of a file's last complete record, read backwards from its end: a day's file can hold
     * millions of records, and a restart must not load them all.
     */
    private static String lastHash(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long end = in.size();
            while (end > 0) {
                long lineEnd = lastIndexOf(in, (byte) '\n', end);
                if (lineEnd < 0) {
                    return null;
                }
                long lineStart = lastIndexOf(in, (byte) '\n', lineEnd) + 1;
                ByteBuffer line = ByteBuffer.allocate((int) (lineEnd - lineStart));
                in.read(line, lineStart);
                try {
                    JsonNode node = AuditChain.JSON.readTree(new String(line.array(), StandardCharsets.UTF_8));
                    if (node != null && node.hasNonNull("hash")) {
                        return node.get("hash").asText();
                    }
                } catch (IOException torn) {
                    // a line cut by a crash: never acknowledged, skip it
                }
                end = lineStart;
            }
            return null;
        }
    }

    /** Position of the last {@code b} strictly before {@code before}, or -1; reads backwards in blocks. */
    private static long lastIndexOf(FileChannel in, byte b, long before) throws IOException {
        ByteBuffer block = ByteBuffer.allocate(64 * 1024);
        long end = before;
        while (end > 0) {
            long start = Math.max(0, end - block.capacity());
            block.clear().limit((int) (end - start));
            in.read(block, start);
            for (int i = (int) (end - start) - 1; i >= 0; i--) {
                if (block.get(i) == b) {
                    return start + i;
                }
            }
            end = start;
        }
        return -1;
    }

    /** A crash mid-write leaves a partial last line that was never acknowledged: cut it off. */
    private static void dropTornTail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            long keep = lastIndexOf(channel, (byte) '\n', size) + 1;
            if (keep < size) {
                channel.truncate(keep);
            }
        }
    }

    /**
     * The number of lines in a day's file, from its last checkpoint when it has one: that checkpoint's
     * count plus the lines after the record it names, found from the end. A restart after a busy day
     * then reads the last moments of the file, not gigabytes of it (the first record would wait for
     * that). The whole file is counted when no checkpoint's record is found near the end.
     */
    private static long lineCount(Path file) throws IOException {
        JsonNode checkpoint = lastCheckpoint(file);
        if (checkpoint != null && checkpoint.path("count").canConvertToLong() && checkpoint.path("hash").isTextual()) {
            long after = linesAfter(file, ("\"hash\":\"" + checkpoint.get("hash").asText() + "\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
            if (after >= 0) {
                return checkpoint.get("count").asLong() + after;
            }
        }
        return countLines(file);
    }

    private static JsonNode lastCheckpoint(Path file) {
        Path checkpoints = file.resolveSibling(file.getFileName() + ".checkpoints");
        try (FileChannel in = FileChannel.open(checkpoints, StandardOpenOption.READ)) {
            long end = lastIndexOf(in, (byte) '\n', in.size());
            if (end < 0) {
                return null;
            }
            long start = lastIndexOf(in, (byte) '\n', end) + 1;
            ByteBuffer line = ByteBuffer.allocate((int) (end - start));
            while (line.hasRemaining() && in.read(line, start + line.position()) > 0) {
                // read the whole line
            }
            JsonNode node = AuditChain.JSON.readTree(new String(line.array(), StandardCharsets.UTF_8));
            return node != null && file.getFileName().toString().equals(node.path("file").asText()) ? node : null;
        } catch (IOException | RuntimeException none) {
            return null; // no checkpoint file, or its last line unreadable: the file is counted instead
        }
    }

    /** Lines after the one ending with {@code tail}, searched from the end of the file; -1 if none within 256 MB. */
    private static long linesAfter(Path file, byte[] tail) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            ByteBuffer block = ByteBuffer.allocate(256 * 1024);
            long after = 0;
            for (long end = size; end > 0 && size - end < 256L * 1024 * 1024; ) {
                long start = Math.max(0, end - block.capacity());
                block.clear().limit((int) (end - start));
                while (block.hasRemaining() && in.read(block, start + block.position()) > 0) {
                    // fill the block
                }
                for (int i = (int) (end - start) - 1; i >= 0; i--) {
                    if (block.get(i) == '\n') {
                        if (endsLine(in, block, start, i, tail)) {
                            return after;
                        }
                        after++;
                    }
                }
                end = start;
            }
            return -1;
        }
    }

    /** Whether the line ending at {@code block[i]} (a newline) ends with {@code tail}. */
    private static boolean endsLine(FileChannel in, ByteBuffer block, long blockStart, int i, byte[] tail)
            throws IOException {
        int from = i + 1 - tail.length;
        if (from >= 0) {
            for (int k = 0; k < tail.length; k++) {
                if (block.get(from + k) != tail[k]) {
                    return false;
                }
            }
            return true;
        }
        long position = blockStart + from;
        if (position < 0) {
            return false;
        }
        ByteBuffer bytes = ByteBuffer.allocate(tail.length);
        while (bytes.hasRemaining() && in.read(bytes, position + bytes.position()) > 0) {
            // the few bytes across the block's start
        }
        return java.util.Arrays.equals(bytes.array(), tail);
    }

    private static long countLines(Path file) throws IOException {
        long lines = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer block = ByteBuffer.allocate(256 * 1024);
            while (in.read(block.clear()) > 0) {
                block.flip();
                while (block.hasRemaining()) {
                    if (block.get() == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
            if (channel != null) {
                channel.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
