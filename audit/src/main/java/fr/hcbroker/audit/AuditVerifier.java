package fr.hcbroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;

/**
 * Checks audit files in order: each line exactly as the writer sealed it, each hash, each link to
 * the previous record (also across files), and each signed checkpoint (so a log cut after one is
 * caught). Reports the first fault.
 */
public final class AuditVerifier {

    /** The outcome; {@code ok} or the first fault, naming file and line. */
    public record Result(boolean ok, String message, long records) {
    }

    private AuditVerifier() {
    }

    public static Result verify(List<Path> files, PublicKey checkpointKey) throws IOException {
        String prev = null;
        String start = null;
        long total = 0;
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            String[] hashes = new String[lines.size()];
            for (int i = 0; i < lines.size(); i++) {
                String where = file.getFileName() + " line " + (i + 1);
                JsonNode node;
                try {
                    node = AuditChain.JSON.readTree(lines.get(i));
                } catch (IOException e) {
                    return new Result(false, where + ": not a record (altered or truncated)", total);
                }
                if (node == null || !node.hasNonNull("hash") || !node.hasNonNull("prev")) {
                    return new Result(false, where + ": not a record (altered)", total);
                }
                String claimedPrev = node.get("prev").asText();
                String claimedHash = node.get("hash").asText();
                AuditRecord record = AuditChain.parse(node);
                if (!AuditChain.line(record, claimedPrev, claimedHash).equals(lines.get(i))
                        || !AuditChain.hash(claimedPrev, record).equals(claimedHash)) {
                    return new Result(false, where + ": record altered", total);
                }
                if (prev != null && !prev.equals(claimedPrev)) {
                    return new Result(false, where + ": does not follow the previous record"
                            + (i == 0 ? " of the previous file (files spliced or missing)" : " (a record was removed, inserted or reordered)"),
                            total);
                }
                if (start == null) {
                    start = claimedPrev;
                }
                prev = claimedHash;
                hashes[i] = claimedHash;
                total++;
            }
            Result checkpoints = checkpoints(file, hashes, checkpointKey);
            if (!checkpoints.ok()) {
                return new Result(false, checkpoints.message(), total);
            }
        }
        // A file's first record can only be checked against the file before it: say where the chain
        // starts, so a reader sees whether earlier records belong in the files given.
        String from = start == null || start.equals(AuditChain.GENESIS) ? "from the first record ever written"
                : "continuing a chain whose previous record has hash " + start.substring(0, 16) + "...";
        return new Result(true, "OK: " + total + " records, chain intact " + from, total);
    }

    private static Result checkpoints(Path file, String[] hashes, PublicKey key) throws IOException {
        Path cps = file.resolveSibling(file.getFileName() + ".checkpoints");
        if (!Files.exists(cps)) {
            return new Result(true, "", 0);
        }
        for (String line : Files.readAllLines(cps, StandardCharsets.UTF_8)) {
            JsonNode cp = AuditChain.JSON.readTree(line);
            long count = cp.path("count").asLong();
            String hash = cp.path("hash").asText();
            if (key == null || !CheckpointKeys.verify(key, CheckpointKeys.statement(file.getFileName().toString(), count, hash),
                    cp.path("sig").asText())) {
                return new Result(false, cps.getFileName() + ": checkpoint at record " + count + " has a bad signature", 0);
            }
            if (hashes.length < count) {
                return new Result(false, file.getFileName() + ": truncated: a signed checkpoint vouches for " + count
                        + " records, the file has " + hashes.length, 0);
            }
            if (!hashes[(int) count - 1].equals(hash)) {
                return new Result(false, file.getFileName() + " line " + count + ": differs from its signed checkpoint", 0);
            }
        }
        return new Result(true, "", 0);
    }
}
