package fr.hcbroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Keeps a writer's daily files for the periods the establishment sets (CNIL's recommendation for access
 * logs by default: 6 months online, then archived up to 12 months in all). Run daily, e.g. from a timer:
 *
 * <ul>
 *   <li>a day older than the online period, verified (chain and signed checkpoints), is compressed into
 *   {@code archive/} with its checkpoints, read back and compared with the original, synced, and named in a
 *   signed manifest ({@code archive/manifest.jsonl}); only then is the original deleted. A disk that fills
 *   up on the way fails the step and deletes nothing;</li>
 *   <li>an archived day older than the retention period is deleted, and the purge is a record of the
 *   {@code retention} chain (its own daily files in the same directory, signed with the same key), as is
 *   each archiving.</li>
 * </ul>
 * An archived file still verifies: {@code audit verify} and {@code audit report} read {@code .jsonl.gz} as the original.
 */
public final class Retention {

    public static final String ARCHIVE = "archive";
    static final String MANIFEST = "manifest.jsonl";
    private static final Pattern DAY = Pattern.compile("(.+)-(\\d{4}-\\d{2}-\\d{2})\\.jsonl(\\.gz)?");

    /** How to open the archive's files for writing: a seam, so a test can fill the disk. */
    @FunctionalInterface
    interface Output {
        OutputStream open(Path file) throws IOException;
    }

    public record Outcome(List<String> archived, List<String> purged, List<String> refused) {
    }

    private final Path dir;
    private final String prefix;
    private final Duration online;
    private final Duration kept;
    private final Clock clock;
    private final Output output;

    public Retention(Path dir, String prefix, Duration online, Duration kept, Clock clock) {
        this(dir, prefix, online, kept, clock, file -> Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
    }

    Retention(Path dir, String prefix, Duration online, Duration kept, Clock clock, Output output) {
        if (kept.compareTo(online) < 0) {
            throw new IllegalArgumentException("the retention period (" + kept.toDays() + " days) is shorter than the"
                    + " online period (" + online.toDays() + " days)");
        }
        this.dir = dir;
        this.prefix = prefix;
        this.online = online;
        this.kept = kept;
        this.clock = clock;
        this.output = output;
    }

    /** One pass: archives what left the online period, purges what left the retention period. */
    public Outcome run() throws IOException, GeneralSecurityException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Path archive = Files.createDirectories(dir.resolve(ARCHIVE));
        PrivateKey key = CheckpointKeys.loadOrCreate(dir);
        PublicKey publicKey = CheckpointKeys.loadPublic(dir.resolve(CheckpointKeys.PUBLIC));
        List<String> archived = new ArrayList<>();
        List<String> purged = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<Map<String, Object>> events = new ArrayList<>();
        for (Path file : days(dir, false)) {
            LocalDate day = day(file);
            if (day.plusDays(online.toDays()).isAfter(today) || !day.isBefore(today)) {
                continue;
            }
            String name = file.getFileName().toString();
            AuditVerifier.Result check = AuditVerifier.verify(List.of(file), publicKey);
            if (!check.proven()) {
                refused.add(name + ": not archived, it does not verify: " + check.message());
                continue;
            }
            try {
                Map<String, Object> entry = archive(file, archive, check.records(), key);
                Files.delete(file.resolveSibling(name + ".checkpoints"));
                Files.delete(file);
                AuditWriter.syncDirectory(dir);
                archived.add(name);
                events.add(Map.of("event", "retention-archive", "file", name, "sha256", entry.get("sha256")));
            } catch (IOException e) {
                refused.add(name + ": not archived, nothing deleted: " + e.getMessage());
            }
        }
        for (Path file : days(archive, true)) {
            if (!day(file).plusDays(kept.toDays()).isAfter(today)) {
                String original = file.getFileName().toString().replaceFirst("\\.gz$", "");
                Files.deleteIfExists(archive.resolve(original + ".checkpoints.gz"));
                Files.delete(file);
                purged.add(original);
                events.add(Map.of("event", "retention-purge", "file", original, "sha256", ""));
            }
        }
        AuditWriter.syncDirectory(archive);
        if (!events.isEmpty()) {
            try (AuditWriter trail = new AuditWriter(dir, "retention", Duration.ofMillis(5), 1000, Duration.ofSeconds(1), clock)) {
                for (Map<String, Object> e : events) {
                    trail.append(new AuditRecord(AuditRecord.timestamp(clock.instant()), "retention", (String) e.get("event"),
                            "success", e.get("event").equals("retention-purge")
                            ? "retention period of " + kept.toDays() + " days over" : "online period of " + online.toDays()
                            + " days over; archived with sha256 " + e.get("sha256"), null, null, null, List.of(), null, null,
                            null, null, null, null, null, Map.of("resource", (String) e.get("file"))), true).join();
                }
            }
        }
        return new Outcome(archived, purged, refused);
    }

    /**
     * Compresses a day and its checkpoints into the archive, reads the copy back and compares it with the
     * original, syncs it, then signs its manifest line: the original may go only after this returns.
     */
    private Map<String, Object> archive(Path file, Path archive, long records, PrivateKey key)
            throws IOException, GeneralSecurityException {
        String name = file.getFileName().toString();
        Path checkpoints = file.resolveSibling(name + ".checkpoints");
        String sha = compress(file, archive.resolve(name + ".gz"));
        compress(checkpoints, archive.resolve(name + ".checkpoints.gz"));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("file", name);
        entry.put("records", records);
        entry.put("sha256", sha);
        entry.put("archived", AuditRecord.timestamp(clock.instant()));
        entry.put("sig", CheckpointKeys.sign(key, manifestStatement(name, records, sha)));
        Path manifest = archive.resolve(MANIFEST);
        try (OutputStream out = output.open(archive.resolve(MANIFEST + ".tmp"))) {
            if (Files.exists(manifest)) {
                Files.copy(manifest, out);
            }
            out.write((AuditChain.JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        try (var channel = java.nio.channels.FileChannel.open(archive.resolve(MANIFEST + ".tmp"), StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(archive.resolve(MANIFEST + ".tmp"), manifest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        AuditWriter.syncDirectory(archive);
        return entry;
    }

    /** Gzips {@code from} into {@code to} (via a temporary file), checks the copy, syncs it; the original's SHA-256. */
    private String compress(Path from, Path to) throws IOException {
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            try (OutputStream out = new GZIPOutputStream(output.open(tmp), 1 << 16)) {
                Files.copy(from, out);
            }
            try (var channel = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            String original = sha256(Files.newInputStream(from));
            String copy = sha256(new GZIPInputStream(Files.newInputStream(tmp)));
            if (!original.equals(copy)) {
                throw new IOException("the compressed copy of " + from.getFileName() + " differs from it");
            }
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
            return original;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String manifestStatement(String file, long records, String sha256) {
        return "archive|" + file + "|" + records + "|" + sha256;
    }

    /**
     * Whether every archived day matches its signed manifest line (and none is missing from it): null
     * when it does, else the first fault.
     */
    public static String verifyManifest(Path archive, PublicKey key) throws IOException {
        Map<String, JsonNode> signed = new LinkedHashMap<>();
        Path manifest = archive.resolve(MANIFEST);
        if (Files.exists(manifest)) {
            for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
                JsonNode entry = AuditChain.JSON.readTree(line);
                String file = entry.path("file").asText();
                if (!CheckpointKeys.verify(key, manifestStatement(file, entry.path("records").asLong(),
                        entry.path("sha256").asText()), entry.path("sig").asText())) {
                    return MANIFEST + ": the line for " + file + " has a bad signature";
                }
                signed.put(file, entry);
            }
        }
        for (Path gz : days(archive, null, true)) {
            String file = gz.getFileName().toString().replaceFirst("\\.gz$", "");
            JsonNode entry = signed.get(file);
            if (entry == null) {
                return gz.getFileName() + ": not in the signed manifest";
            }
            if (!entry.path("sha256").asText().equals(sha256(new GZIPInputStream(Files.newInputStream(gz))))) {
                return gz.getFileName() + ": differs from the SHA-256 its manifest line signs";
            }
        }
        return null;
    }

    private static String sha256(InputStream in) throws IOException {
        try (in) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Path> days(Path in, boolean archived) throws IOException {
        return days(in, prefix, archived);
    }

    /** A directory's daily files of one writer ({@code prefix}, or any when null), online or archived. */
    private static List<Path> days(Path in, String prefix, boolean archived) throws IOException {
        try (Stream<Path> files = Files.list(in)) {
            return files.filter(p -> {
                Matcher m = DAY.matcher(p.getFileName().toString());
                return m.matches() && (prefix == null || m.group(1).equals(prefix)) && (m.group(3) != null) == archived;
            }).sorted().toList();
        }
    }

    private static LocalDate day(Path file) {
        Matcher m = DAY.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file + " is not a daily audit file");
        }
        return LocalDate.parse(m.group(2));
    }
}
