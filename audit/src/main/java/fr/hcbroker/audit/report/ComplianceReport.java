package fr.hcbroker.audit.report;

import fr.hcbroker.audit.AuditVerifier;
import fr.hcbroker.audit.Retention;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The compliance report over a period: verifies each trail file, counts only the intact ones, and
 * holds what the HTML, CSV and JSON renderings show. Files are read once, line by line, verified and
 * counted in the same pass (a year is tens of millions of records), several files at once on as many cores.
 */
public final class ComplianceReport {

    /** What the verification of one file concluded. */
    public enum Status {
        /** Intact and wholly under signed checkpoints: counted. */
        VERIFIED,
        /** Intact, its last records not signed yet (the file a running writer is filling): counted, and said. */
        NOT_YET_PROVEN,
        /** Altered, truncated, reordered, not a trail, or signed by another key: named, not counted. */
        REJECTED
    }

    public record FileCheck(String file, Status status, long records, String message) {
    }

    /** One row per app: accesses and people, by level (index as {@link Tally#LEVELS}) and by means. */
    public record AppRow(String kind, String app, long accesses, int people, long[] levelAccesses, int[] levelPeople,
                         Map<Means, Long> meansAccesses, Map<Means, Integer> meansPeople) {
        public long atLeastSubstantial() {
            return levelAccesses[2] + levelAccesses[3];
        }
    }

    /** An app allowed below eidas2: declared so in the realm, or seen serving eidas1 accesses in the period. */
    public record BelowFloor(String kind, String app, String declaredMinimum, long accessesBelow) {
    }

    public record Week(String week, long accesses, long atLeastSubstantial) {
        public double share() {
            return accesses == 0 ? 0 : (double) atLeastSubstantial / accesses;
        }
    }

    private static final Pattern DAILY = Pattern.compile("(.+)-\\d{4}-\\d{2}-\\d{2}\\.jsonl(?:\\.gz)?");

    private final LocalDate from;
    private final LocalDate to;
    private final Instant generated;
    private final RealmFacts realm;
    private final List<FileCheck> files = new ArrayList<>();
    private final List<String> breaks = new ArrayList<>();
    private final Tally total;

    private ComplianceReport(LocalDate from, LocalDate to, Instant generated, RealmFacts realm) {
        this.from = from;
        this.to = to;
        this.generated = generated;
        this.realm = realm;
        this.total = new Tally(from.toString(), to.toString());
    }

    /**
     * The checkpoint public key of a writer's directory: each node writes its own chain with its own key
     * (docker/compose.yaml), so a report over several nodes needs one key per directory.
     */
    public interface Keys {
        /** The key of the writer whose files are in {@code directory}; an IOException names the files unverified. */
        PublicKey of(Path directory) throws IOException;

        /** One key for every directory (a single writer's directory, or the tests'). */
        static Keys one(PublicKey key) {
            return directory -> key;
        }
    }

    /** As {@link #build(List, Keys, LocalDate, LocalDate, RealmFacts, Instant)} with one key for every file. */
    public static ComplianceReport build(List<Path> paths, PublicKey key, LocalDate from, LocalDate to,
                                         RealmFacts realm, Instant generated) throws IOException {
        return build(paths, Keys.one(key), from, to, realm, generated);
    }

    /**
     * Verifies and counts {@code paths} for the days {@code from} to {@code to} (both included, UTC).
     * Files are grouped by writer (the name before the date) and taken in date order within a group;
     * each must continue the chain of the intact file before it, else the break is named. Each group is
     * checked with its directory's key ({@code keys}); a group whose key cannot be read is named, not counted.
     */
    public static ComplianceReport build(List<Path> paths, Keys keys, LocalDate from, LocalDate to,
                                         RealmFacts realm, Instant generated) throws IOException {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("--to " + to + " is before --from " + from);
        }
        ComplianceReport report = new ComplianceReport(from, to, generated, realm);
        Map<String, List<Path>> groups = new TreeMap<>();
        Map<String, Path> directories = new java.util.HashMap<>();
        for (Path p : paths) {
            Matcher m = DAILY.matcher(p.getFileName().toString());
            // A writer's archived days (its directory's archive/) continue the same chain as its online ones.
            Path parent = p.toAbsolutePath().getParent();
            if (parent.getFileName() != null && parent.getFileName().toString().equals(Retention.ARCHIVE)) {
                parent = parent.getParent();
            }
            String writer = m.matches() ? parent + "/" + m.group(1) : p.toString();
            groups.computeIfAbsent(writer, g -> new ArrayList<>()).add(p);
            directories.put(writer, parent);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Runtime.getRuntime().availableProcessors(), work -> {
                    Thread t = new Thread(work, "hc-report");
                    t.setDaemon(true);
                    return t;
                });
        try {
            for (Map.Entry<String, List<Path>> entry : groups.entrySet()) {
                List<Path> group = entry.getValue();
                group.sort(Comparator.comparing(p -> p.getFileName().toString().replaceFirst("\\.gz$", "")));
                PublicKey key;
                try {
                    key = keys.of(directories.get(entry.getKey()));
                } catch (IOException noKey) {
                    group.forEach(f -> report.files.add(new FileCheck(f.getFileName().toString(), Status.REJECTED, 0,
                            f.getFileName() + ": no checkpoint key for " + directories.get(entry.getKey()) + " ("
                                    + noKey.getMessage() + ")")));
                    continue;
                }
                report.verifyAndCount(group, key, pool);
            }
        } finally {
            pool.shutdownNow();
        }
        return report;
    }

    /** One file verified and counted on its own, before it is known whether its counts are kept. */
    private record Checked(Path file, AuditVerifier.Result result, Tally tally, String firstPrev, String lastHash) {
    }

    private Checked check(Path file, PublicKey key) throws IOException {
        Tally tally = new Tally(from.toString(), to.toString());
        AuditVerifier.Result result = AuditVerifier.verify(List.of(file), key, tally::add);
        return new Checked(file, result, tally, result.chainStart(), result.chainEnd());
    }

    /**
     * Files are checked on every core, a few ahead of the one being merged (a day's counts are small, a
     * year of them is not: they are merged in date order as they come, and dropped).
     */
    private void verifyAndCount(List<Path> group, PublicKey key, java.util.concurrent.ExecutorService pool) throws IOException {
        int ahead = 2 * Runtime.getRuntime().availableProcessors();
        java.util.ArrayDeque<java.util.concurrent.Future<Checked>> pending = new java.util.ArrayDeque<>();
        int submitted = 0;
        String lastHash = null;
        String lastName = null;
        for (int i = 0; i < group.size(); i++) {
            while (submitted < group.size() && submitted < i + ahead) {
                Path next = group.get(submitted++);
                pending.add(pool.submit(() -> check(next, key)));
            }
            Checked checked;
            try {
                checked = pending.remove().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
            AuditVerifier.Result result = checked.result();
            String name = checked.file().getFileName().toString();
            boolean left = i < group.size() - 1;
            if (!result.ok() || (left && result.unsignedTail() > 0)) {
                String why = result.ok() ? name + ": " + result.unsignedTail() + " records after the last signed checkpoint"
                        + " of a file its writer has left (added later?)" : result.message();
                files.add(new FileCheck(name, Status.REJECTED, result.records(), why));
                lastHash = null;
                continue;
            }
            if (lastHash != null && checked.firstPrev() != null && !lastHash.equals(checked.firstPrev())) {
                breaks.add(name + " does not continue the chain of " + lastName + " (a day missing, or files spliced)");
            }
            files.add(new FileCheck(name, result.proven() ? Status.VERIFIED : Status.NOT_YET_PROVEN, result.records(),
                    result.message()));
            total.addAll(checked.tally());
            if (checked.lastHash() != null) {
                lastHash = checked.lastHash();
                lastName = name;
            }
        }
    }

    /** True when every file was counted and no chain break was found: nothing to warn about on page one. */
    public boolean intact() {
        return breaks.isEmpty() && files.stream().noneMatch(f -> f.status() == Status.REJECTED);
    }

    public LocalDate from() {
        return from;
    }

    public LocalDate to() {
        return to;
    }

    public Instant generated() {
        return generated;
    }

    public List<FileCheck> files() {
        return List.copyOf(files);
    }

    public List<String> breaks() {
        return List.copyOf(breaks);
    }

    public boolean realmGiven() {
        return realm.realmFloor() != null || !realm.strongestFactor().isEmpty();
    }

    public List<AppRow> apps() {
        List<AppRow> rows = new ArrayList<>();
        total.apps().forEach((app, c) -> {
            int[] levelPeople = new int[Tally.LEVELS.length];
            for (int l = 0; l < levelPeople.length; l++) {
                levelPeople[l] = c.levelPeople(l);
            }
            Map<Means, Integer> meansPeople = new EnumMap<>(Means.class);
            Map<Means, Long> meansAccesses = new EnumMap<>(Means.class);
            for (Means m : Means.values()) {
                meansAccesses.put(m, c.meansAccesses[m.ordinal()]);
                meansPeople.put(m, c.meansPeople(m));
            }
            rows.add(new AppRow(app.kind(), app.id(), c.accesses, c.people(), c.levelAccesses.clone(), levelPeople,
                    meansAccesses, meansPeople));
        });
        return rows;
    }

    /**
     * People by the strongest factor they own: the realm's credentials and PSC links, raised by what
     * the trail shows them using (a card login shows a card, which Keycloak holds no credential for).
     */
    public Map<Factor, Integer> peopleByStrongestFactor() {
        Map<String, Factor> owned = new TreeMap<>(realm.strongestFactor());
        total.shown().forEach((p, f) -> owned.merge(p, f, Factor::stronger));
        Map<Factor, Integer> counts = new EnumMap<>(Factor.class);
        for (Factor f : Factor.values()) {
            counts.put(f, 0);
        }
        owned.values().forEach(f -> counts.merge(f, 1, Integer::sum));
        return counts;
    }

    /** Who got in at least once with a password alone in the period, by name. */
    public List<String> passwordAlone() {
        return List.copyOf(new TreeSet<>(total.passwordAlone()));
    }

    public List<BelowFloor> belowFloor() {
        Map<Tally.App, BelowFloor> rows = new LinkedHashMap<>();
        Map<Tally.App, Tally.AppCounts> apps = total.apps();
        realm.clientMinimum().forEach((client, min) -> {
            if (Tally.level(min) < 2) {
                Tally.AppCounts c = apps.get(new Tally.App("client", client));
                rows.put(new Tally.App("client", client), new BelowFloor("client", client, min,
                        c == null ? 0 : c.levelAccesses[1] + c.levelAccesses[0]));
            }
        });
        if (realm.realmFloor() != null && Tally.level(realm.realmFloor()) < 2) {
            rows.put(new Tally.App("realm", "*"), new BelowFloor("realm", "*", realm.realmFloor(), 0));
        }
        apps.forEach((app, c) -> {
            if (c.levelAccesses[1] > 0) {
                rows.putIfAbsent(app, new BelowFloor(app.kind(), app.id(), null, c.levelAccesses[1]));
            }
        });
        return List.copyOf(rows.values());
    }

    public long emergencyAccesses() {
        return total.emergencyAccesses;
    }

    /** Granted emergency accesses of the period with a review ({@code audit review}), whatever its day. */
    public long emergencyReviews() {
        return total.emergencySessions.keySet().stream().filter(total.emergencyVerdicts::containsKey).count();
    }

    public long emergencyAwaitingReview() {
        return total.emergencyAccesses - emergencyReviews();
    }

    /** Reviewed accesses of the period by verdict ({@code justified}, {@code unjustified}). */
    public Map<String, Long> emergencyVerdicts() {
        Map<String, Long> out = new TreeMap<>();
        total.emergencySessions.keySet().forEach(s -> {
            String verdict = total.emergencyVerdicts.get(s);
            if (verdict != null) {
                out.merge(verdict, 1L, Long::sum);
            }
        });
        return out;
    }

    /** Granted emergency accesses of the period by reason code. */
    public Map<String, Long> emergencyByReason() {
        Map<String, Long> out = new TreeMap<>();
        total.emergencySessions.values().forEach(r -> out.merge(r, 1L, Long::sum));
        return out;
    }

    /** Refused emergency accesses of the period by refusal code ({@code emergency_cap_reached}...). */
    public Map<String, Long> emergencyRefusals() {
        return new TreeMap<>(total.emergencyRefusals);
    }

    /**
     * The gateway's refusals in the period: recorded one by one, counted in summaries of repeated
     * refusals ({@code deny-summary}), and how many summary records hold those.
     */
    public record Refusals(long recorded, long summarised, long summaryRecords) {
        public long total() {
            return recorded + summarised;
        }
    }

    public Refusals refusals() {
        return new Refusals(total.refusalsRecorded, total.refusalsSummarised, total.refusalSummaries);
    }

    public List<Week> weeks() {
        List<Week> weeks = new ArrayList<>();
        total.weeks.forEach((w, n) -> weeks.add(new Week(w, n[0], n[1])));
        return weeks;
    }

    /** Records of the counted files that fall in the period (every kind of event). */
    public long recordsInPeriod() {
        return total.inPeriod;
    }
}
