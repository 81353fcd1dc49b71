package fr.hcbroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks audit files in order: each line exactly as the writer sealed it, each hash, each link to
 * the previous record (also across files), and each signed checkpoint (so a log cut after one is
 * caught). Reports the first fault.
 *
 * <p>The writer signs a checkpoint within a second of its last record and whenever it leaves a file
 * (a new day, a stop, a restart after a crash), so every record of a file it has left is under a
 * signature. Records that are not are a fault in any file but the last, where they are the few a
 * running writer has not signed yet: {@link Result#unsignedTail()} counts them, and the log is only
 * fully proven once a later run finds none. Files are read line by line: a busy day's file is
 * gigabytes.
 */
public final class AuditVerifier {

    /** Longer than any record the writer makes (each field is bounded): a longer line is not one of them. */
    static final int MAX_LINE = 256 * 1024;

    /**
     * The outcome: {@code ok} when no fault was found, then {@code unsignedTail} records at the end of
     * the last file are protected by the chain but not yet by a signed checkpoint. {@code chainStart} is
     * the {@code prev} of the first record read and {@code chainEnd} the hash of the last (null if none).
     */
    public record Result(boolean ok, String message, long records, long unsignedTail, String chainStart,
                         String chainEnd) {

        /** Intact, and every record under a signed checkpoint. */
        public boolean proven() {
            return ok && unsignedTail == 0;
        }

        static Result fault(String message, long records) {
            return new Result(false, message, records, 0, null, null);
        }
    }

    private AuditVerifier() {
    }

    /** Receives each record the verifier has found sealed and linked, in order, as it goes. */
    @FunctionalInterface
    public interface Sink {
        void accept(AuditChain.Written record);

        Sink NONE = record -> {
        };
    }

    public static Result verify(List<Path> files, PublicKey checkpointKey) throws IOException {
        return verify(files, checkpointKey, Sink.NONE);
    }

    /**
     * As {@link #verify(List, PublicKey)}, handing each record to {@code sink} once checked, so a reader
     * (the compliance report) counts in the same single pass. A record already handed over stays counted
     * if a later one is faulty: a caller that must count only intact files counts per file, apart.
     */
    public static Result verify(List<Path> files, PublicKey checkpointKey, Sink sink) throws IOException {
        byte[] prev = null;
        String start = null;
        long total = 0;
        long unsigned = 0;
        String unsignedFrom = "";
        List<String> recovered = new java.util.ArrayList<>();
        SealedLine fast = new SealedLine();
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            boolean last = f == files.size() - 1;
            // A bad checkpoint is reported after the file's records: a fault in them comes first.
            Checkpoints checkpoints = Checkpoints.read(file, checkpointKey);
            long n = 0;
            boolean torn = false;
            long signedUpTo = 0;
            try (Lines lines = new Lines(file)) {
                for (int kind = lines.read(); kind != Lines.END; kind = lines.read()) {
                    n++;
                    if (kind == Lines.CUT) {
                        if (last && lines.atEnd()) {
                            // A crash mid-append: never acknowledged, and cut off when the writer restarts.
                            torn = true;
                            break;
                        }
                        return Result.fault(where(file, n) + ": not a record (altered or truncated)", total);
                    }
                    if (kind == Lines.LONG) {
                        return Result.fault(where(file, n) + ": longer than any record (altered)", total);
                    }
                    byte[] bytes = lines.bytes();
                    int length = lines.length();
                    AuditChain.Written record;
                    byte[] claimedPrev;
                    byte[] claimedHash;
                    int prevAt;
                    int hashAt;
                    int verdict = fast.check(bytes, length);
                    // What the fast path reads is strict UTF-8: only the other lines need the check.
                    if (verdict == SealedLine.NOT_PLAIN && !lines.utf8()) {
                        return Result.fault(where(file, n) + ": not UTF-8 text (altered)", total);
                    }
                    if (verdict == SealedLine.ALTERED) {
                        return Result.fault(where(file, n) + ": record altered", total);
                    }
                    if (verdict == SealedLine.SEALED) {
                        record = fast.record;
                        claimedPrev = bytes;
                        prevAt = SealedLine.prevAt(length);
                        claimedHash = bytes;
                        hashAt = SealedLine.hashAt(length);
                    } else {
                        // Not in the writer's plain form: the exact, slow way (parse, write again, compare).
                        String line = new String(bytes, 0, length, StandardCharsets.UTF_8);
                        JsonNode node = parse(line);
                        String fault = sealed(line, node);
                        if (fault != null) {
                            return Result.fault(where(file, n) + ": " + fault, total);
                        }
                        record = AuditChain.written(node);
                        claimedPrev = node.get("prev").asText().getBytes(StandardCharsets.UTF_8);
                        prevAt = 0;
                        claimedHash = node.get("hash").asText().getBytes(StandardCharsets.UTF_8);
                        hashAt = 0;
                    }
                    int prevLength = verdict == SealedLine.SEALED ? 64 : claimedPrev.length;
                    int hashLength = verdict == SealedLine.SEALED ? 64 : claimedHash.length;
                    if (prev != null && !Arrays.equals(prev, 0, prev.length, claimedPrev, prevAt, prevAt + prevLength)) {
                        return Result.fault(where(file, n) + ": does not follow the previous record"
                                + (n == 1 ? " of the previous file (files spliced or missing)"
                                : " (a record was removed, inserted or reordered)"), total);
                    }
                    Checkpoint vouched = checkpoints.at().get(n);
                    if (vouched != null) {
                        if (!vouched.hash().equals(new String(claimedHash, hashAt, hashLength, StandardCharsets.UTF_8))) {
                            return Result.fault(where(file, n) + ": differs from its signed checkpoint", total);
                        }
                        if (vouched.recovered() && n > signedUpTo) {
                            recovered.add(file.getFileName() + " lines " + (signedUpTo + 1) + "-" + n);
                        }
                        signedUpTo = Math.max(signedUpTo, n);
                    }
                    if (start == null) {
                        start = new String(claimedPrev, prevAt, prevLength, StandardCharsets.UTF_8);
                    }
                    if (prev == null || prev.length != hashLength) {
                        prev = new byte[hashLength];
                    }
                    System.arraycopy(claimedHash, hashAt, prev, 0, hashLength);
                    total++;
                    sink.accept(record);
                }
            }
            if (checkpoints.fault() != null) {
                return Result.fault(checkpoints.fault(), total);
            }
            long records = torn ? n - 1 : n;
            if (checkpoints.highest() > records) {
                return Result.fault(file.getFileName() + ": truncated: a signed checkpoint vouches for "
                        + checkpoints.highest() + " records, the file has " + records, total);
            }
            if (records > signedUpTo || torn) {
                if (!last) {
                    return Result.fault(file.getFileName() + " line " + (signedUpTo + 1) + ": "
                            + (signedUpTo == 0 ? "no signed checkpoint covers this file (its checkpoints were removed?)"
                            : "records after the last signed checkpoint of a file the writer has left (added later?)"),
                            total);
                }
                unsigned = records - signedUpTo + (torn ? 1 : 0);
                unsignedFrom = file.getFileName() + " line " + (signedUpTo + 1) + " on are under no signed checkpoint"
                        + (torn ? " (the last one cut mid-record by a crash)" : "");
            }
        }
        // A file's first record can only be checked against the file before it: say where the chain
        // starts, so a reader sees whether earlier records belong in the files given.
        String from = start == null || start.equals(AuditChain.GENESIS) ? "from the first record ever written"
                : "continuing a chain whose previous record has hash " + start.substring(0, 16) + "...";
        String end = prev == null ? null : new String(prev, StandardCharsets.UTF_8);
        if (unsigned > 0) {
            return new Result(true, "NOT YET PROVEN: " + total + " records, chain intact " + from + ", but the " + unsigned
                    + " from " + unsignedFrom + ". A running writer signs within a"
                    + " second, and on stopping or restarting: verify again. If they stay unsigned, they were added"
                    + " after the writer stopped, or its checkpoints removed.", total, unsigned, start, end);
        }
        return new Result(true, "OK: " + total + " records, chain intact " + from + ", all under signed checkpoints"
                + (recovered.isEmpty() ? "" : "; signed only at a writer's start after a crash, as found on disk then"
                + " (not as written): " + String.join(", ", recovered)), total, 0, start, end);
    }

    private static String where(Path file, long n) {
        return file.getFileName() + " line " + n;
    }

    static JsonNode parse(String line) {
        try {
            return AuditChain.JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
    }

    /** A day's file archived by {@link Retention}: gzip, read as the original. */
    static boolean archived(Path file) {
        return file.getFileName().toString().endsWith(".jsonl.gz");
    }

    /** Null when the line is exactly what the writer seals for the record it holds (parsed: node), else what is wrong. */
    static String sealed(String line, JsonNode node) {
        if (node == null) {
            return "not a record (altered or truncated)";
        }
        if (!node.isObject() || !node.path("hash").isTextual() || !node.path("prev").isTextual()) {
            return "not a record (altered)";
        }
        String claimedPrev = node.get("prev").asText();
        String claimedHash = node.get("hash").asText();
        AuditChain.Written record;
        try {
            record = AuditChain.written(node);
        } catch (RuntimeException e) {
            return "not a record (altered)";
        }
        if (!AuditChain.line(record, claimedPrev, claimedHash).equals(line)
                || !AuditChain.hash(claimedPrev, record).equals(claimedHash)) {
            return "record altered";
        }
        return null;
    }

    /** A checkpoint's hash, and whether a writer made it at its start for records a crash left unsigned. */
    private record Checkpoint(String hash, boolean recovered) {
    }

    /** A file's signed checkpoints: record number to what was vouched for there, or the first bad one. */
    private record Checkpoints(Map<Long, Checkpoint> at, long highest, String fault) {

        static Checkpoints read(Path file, PublicKey key) throws IOException {
            // An archived day (name.jsonl.gz) keeps its checkpoints beside it, compressed too.
            Path cps = file.resolveSibling(file.getFileName().toString().replaceFirst("\\.gz$", "") + ".checkpoints"
                    + (archived(file) ? ".gz" : ""));
            Map<Long, Checkpoint> hashAt = new HashMap<>();
            long highest = 0;
            if (!Files.exists(cps)) {
                return new Checkpoints(hashAt, 0, null);
            }
            long n = 0;
            try (Lines lines = new Lines(cps)) {
                for (String line = lines.next(); line != null; line = lines.next()) {
                    n++;
                    String where = cps.getFileName() + " line " + n;
                    JsonNode cp;
                    try {
                        cp = line == Lines.TORN || line == Lines.TOO_LONG || line == Lines.NOT_UTF8 ? null
                                : AuditChain.JSON.readTree(line);
                    } catch (IOException e) {
                        cp = null;
                    }
                    if (cp == null || !cp.path("count").canConvertToLong() || cp.path("count").asLong() < 1
                            || !cp.path("hash").isTextual() || !cp.path("sig").isTextual()) {
                        return new Checkpoints(hashAt, highest, where + ": not a checkpoint (altered)");
                    }
                    long count = cp.get("count").asLong();
                    String hash = cp.get("hash").asText();
                    boolean recovered = cp.path("recovered").asBoolean(false);
                    String name = file.getFileName().toString().replaceFirst("\\.gz$", "");
                    if (key == null || !CheckpointKeys.verify(key, recovered ? CheckpointKeys.recoveredStatement(name, count, hash)
                            : CheckpointKeys.statement(name, count, hash), cp.get("sig").asText())) {
                        return new Checkpoints(hashAt, highest, cps.getFileName() + ": checkpoint at record " + count
                                + " has a bad signature");
                    }
                    Checkpoint before = hashAt.putIfAbsent(count, new Checkpoint(hash, recovered));
                    if (before != null && before.recovered() && !recovered) {
                        hashAt.put(count, new Checkpoint(hash, false));
                    }
                    if (before != null && !before.hash().equals(hash)) {
                        return new Checkpoints(hashAt, highest, cps.getFileName() + ": two signed checkpoints at record "
                                + count + " vouch for different records");
                    }
                    highest = Math.max(highest, count);
                }
            }
            return new Checkpoints(hashAt, highest, null);
        }
    }

    /**
     * A file's lines, split on {@code \n} only (a {@code \r} stays in the line, so a converted file is
     * caught), bounded in length. {@link #read()} leaves the line's bytes in a buffer it reuses (a year
     * is tens of millions of lines) and leaves checking them as UTF-8 to {@link #utf8()} (the verifier's
     * fast path proves it as it reads); {@link #next()} gives a line as text, checked strictly as UTF-8.
     */
    static final class Lines implements AutoCloseable {
        static final String TORN = new String("torn");
        static final String TOO_LONG = new String("too long");
        static final String NOT_UTF8 = new String("not UTF-8");
        /** What {@link #read()} found: a line, the end, a line cut (no final newline), or too long. */
        static final int LINE = 0, END = 1, CUT = 2, LONG = 3;

        private final InputStream in;
        private final byte[] chunk = new byte[1 << 16];
        private int position;
        private int limit;
        private byte[] line = new byte[1024];
        private int length;
        private boolean end;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private CharBuffer decoded = CharBuffer.allocate(1024);

        Lines(Path file) throws IOException {
            InputStream raw = Files.newInputStream(file);
            boolean gzip = file.getFileName().toString().endsWith(".gz");
            in = gzip ? new java.util.zip.GZIPInputStream(raw, 1 << 16) : raw;
        }

        /** Reads the next line into {@link #bytes()}; says what was found. */
        int read() throws IOException {
            if (end) {
                return END;
            }
            length = 0;
            boolean tooLong = false;
            while (true) {
                if (position == limit) {
                    limit = in.read(chunk, 0, chunk.length);
                    position = 0;
                    if (limit < 0) {
                        limit = 0;
                        end = true;
                        return length == 0 && !tooLong ? END : CUT;
                    }
                }
                int newline = position;
                while (newline < limit && chunk[newline] != '\n') {
                    newline++;
                }
                int take = Math.min(newline - position, MAX_LINE - length);
                if (take < newline - position) {
                    tooLong = true;
                }
                if (length + take > line.length) {
                    line = Arrays.copyOf(line, Math.max(length + take, 2 * line.length));
                }
                System.arraycopy(chunk, position, line, length, take);
                length += take;
                position = newline;
                if (newline < limit) {
                    position++;
                    break;
                }
            }
            return tooLong ? LONG : LINE;
        }

        /** Whether the last line read is strict UTF-8 (no overlong form, no surrogate, nothing past U+10FFFF). */
        boolean utf8() {
            int i = 0;
            while (i < length && line[i] >= 0) {
                i++;
            }
            if (i == length) {
                return true;
            }
            if (decoded.capacity() < length) {
                decoded = CharBuffer.allocate(length);
            }
            decoded.clear();
            decoder.reset();
            return !decoder.decode(ByteBuffer.wrap(line, 0, length), decoded, true).isError()
                    && !decoder.flush(decoded).isError();
        }

        /** The last line read, in a buffer the next read reuses: bytes 0 to {@link #length()}. */
        byte[] bytes() {
            return line;
        }

        int length() {
            return length;
        }

        /** The next line as text, a marker, or null at the end. */
        String next() throws IOException {
            return switch (read()) {
                case END -> null;
                case CUT -> TORN;
                case LONG -> TOO_LONG;
                default -> utf8() ? new String(line, 0, length, StandardCharsets.UTF_8) : NOT_UTF8;
            };
        }

        /** True once the last line has been read. */
        boolean atEnd() {
            return end;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
