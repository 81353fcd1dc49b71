package fr.hcbroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
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
     * the last file are protected by the chain but not yet by a signed checkpoint.
     */
    public record Result(boolean ok, String message, long records, long unsignedTail) {

        /** Intact, and every record under a signed checkpoint. */
        public boolean proven() {
            return ok && unsignedTail == 0;
        }

        static Result fault(String message, long records) {
            return new Result(false, message, records, 0);
        }
    }

    private AuditVerifier() {
    }

    /** Receives each record the verifier has found sealed and linked, in order, as it goes. */
    @FunctionalInterface
    public interface Sink {
        void accept(JsonNode record);

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
        String prev = null;
        String start = null;
        long total = 0;
        long unsigned = 0;
        String unsignedFrom = "";
        List<String> recovered = new java.util.ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            boolean last = f == files.size() - 1;
            // A bad checkpoint is reported after the file's records: a fault in them comes first.
            Checkpoints checkpoints = Checkpoints.read(file, checkpointKey);
            long n = 0;
            boolean torn = false;
            long signedUpTo = 0;
            try (Lines lines = new Lines(file)) {
                for (String line = lines.next(); line != null; line = lines.next()) {
                    n++;
                    String where = file.getFileName() + " line " + n;
                    if (line == Lines.TORN) {
                        if (last && lines.atEnd()) {
                            // A crash mid-append: never acknowledged, and cut off when the writer restarts.
                            torn = true;
                            break;
                        }
                        return Result.fault(where + ": not a record (altered or truncated)", total);
                    }
                    if (line == Lines.TOO_LONG) {
                        return Result.fault(where + ": longer than any record (altered)", total);
                    }
                    if (line == Lines.NOT_UTF8) {
                        return Result.fault(where + ": not UTF-8 text (altered)", total);
                    }
                    JsonNode node = parse(line);
                    String fault = sealed(line, node);
                    if (fault != null) {
                        return Result.fault(where + ": " + fault, total);
                    }
                    String claimedPrev = node.get("prev").asText();
                    String claimedHash = node.get("hash").asText();
                    if (prev != null && !prev.equals(claimedPrev)) {
                        return Result.fault(where + ": does not follow the previous record"
                                + (n == 1 ? " of the previous file (files spliced or missing)"
                                : " (a record was removed, inserted or reordered)"), total);
                    }
                    Checkpoint vouched = checkpoints.at().get(n);
                    if (vouched != null) {
                        if (!vouched.hash().equals(claimedHash)) {
                            return Result.fault(where + ": differs from its signed checkpoint", total);
                        }
                        if (vouched.recovered() && n > signedUpTo) {
                            recovered.add(file.getFileName() + " lines " + (signedUpTo + 1) + "-" + n);
                        }
                        signedUpTo = Math.max(signedUpTo, n);
                    }
                    if (start == null) {
                        start = claimedPrev;
                    }
                    prev = claimedHash;
                    total++;
                    sink.accept(node);
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
        if (unsigned > 0) {
            return new Result(true, "NOT YET PROVEN: " + total + " records, chain intact " + from + ", but the " + unsigned
                    + " from " + unsignedFrom + ". A running writer signs within a"
                    + " second, and on stopping or restarting: verify again. If they stay unsigned, they were added"
                    + " after the writer stopped, or its checkpoints removed.", total, unsigned);
        }
        return new Result(true, "OK: " + total + " records, chain intact " + from + ", all under signed checkpoints"
                + (recovered.isEmpty() ? "" : "; signed only at a writer's start after a crash, as found on disk then"
                + " (not as written): " + String.join(", ", recovered)), total, 0);
    }

    private static JsonNode parse(String line) {
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
    private static String sealed(String line, JsonNode node) {
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
     * caught), each decoded strictly as UTF-8 and bounded in length. Markers stand for a line that is
     * cut (no final newline), too long, or not UTF-8.
     */
    static final class Lines implements AutoCloseable {
        static final String TORN = new String("torn");
        static final String TOO_LONG = new String("too long");
        static final String NOT_UTF8 = new String("not UTF-8");

        private final InputStream in;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        private boolean end;

        Lines(Path file) throws IOException {
            InputStream raw = Files.newInputStream(file);
            boolean gzip = file.getFileName().toString().endsWith(".gz");
            in = new BufferedInputStream(gzip ? new java.util.zip.GZIPInputStream(raw, 1 << 16) : raw, 1 << 16);
        }

        /** The next line without its newline, a marker, or null at the end. */
        String next() throws IOException {
            if (end) {
                return null;
            }
            line.reset();
            boolean tooLong = false;
            for (int b = in.read(); ; b = in.read()) {
                if (b < 0) {
                    end = true;
                    return line.size() == 0 && !tooLong ? null : TORN;
                }
                if (b == '\n') {
                    break;
                }
                if (line.size() < MAX_LINE) {
                    line.write(b);
                } else {
                    tooLong = true;
                }
            }
            if (tooLong) {
                return TOO_LONG;
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(line.toByteArray())).toString();
            } catch (CharacterCodingException e) {
                return NOT_UTF8;
            }
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
