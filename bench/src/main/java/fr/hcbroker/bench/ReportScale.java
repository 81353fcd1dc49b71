package fr.hcbroker.bench;

import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.audit.AuditWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * How long {@code audit report} takes over a year of a 5 000-person establishment, in how much memory:
 * writes N records (default 10 million) through the real writer into 365 daily files (once; kept under
 * target/bench/report-scale/ for later runs), then runs the report's command line in a separate JVM
 * capped at {@code -Xmx512m} and measures its wall time and peak resident memory. Results:
 * target/bench/report-scale.md.
 *
 * <p>{@code java -cp bench/target/hc-bench-*-app.jar fr.hcbroker.bench.ReportScale [records]}
 */
public final class ReportScale {

    private static final LocalDate FIRST_DAY = LocalDate.parse("2025-01-01");
    private static final int DAYS = 365;
    private static final List<List<String>> AMRS = List.of(List.of("pwd", "otp", "mfa"), List.of("pwd", "hwk", "mfa"),
            List.of("sc", "pin", "mfa"), List.of("swk", "pin", "mfa"), List.of("pwd"));
    private static final String[] LEVELS = {"eidas2", "eidas2", "eidas3", "eidas2", "eidas1"};

    private ReportScale() {
    }

    public static void main(String[] args) throws Exception {
        long records = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        Path out = Path.of("target/bench").toAbsolutePath();
        Path dir = out.resolve("report-scale-" + records);
        Path done = dir.resolve("complete");
        if (!Files.exists(done)) {
            long start = System.nanoTime();
            generate(dir, records);
            Files.writeString(done, "");
            System.out.printf("wrote %d records in %.1f s%n", records, (System.nanoTime() - start) / 1e9);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Xlog:gc:file=" + out.resolve("report-scale-gc.log"), "-cp", System.getProperty("java.class.path"),
                "fr.hcbroker.audit.AuditCommand", "report", "--from", FIRST_DAY.toString(),
                "--to", FIRST_DAY.plusDays(DAYS - 1).toString(), "--format", "json", "--output", out.resolve("report-scale.json").toString()));
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.toString().endsWith(".jsonl")).sorted().forEach(p -> command.add(p.toString()));
        }
        long start = System.nanoTime();
        Process report = new ProcessBuilder(command).inheritIO().start();
        long peakKb = 0;
        long cpuTicks = 0;
        while (report.isAlive()) {
            peakKb = Math.max(peakKb, residentKb(report.pid()));
            cpuTicks = Math.max(cpuTicks, cpuTicks(report.pid()));
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int exit = report.exitValue();
        String md = String.format("""
                # audit report at scale

                | records | files | wall time | CPU time | records/s (wall) | peak heap used | peak resident memory | heap cap | exit |
                |---:|---:|---:|---:|---:|---:|---:|---:|---:|
                | %,d | %d | %.1f s | %.1f s | %,.0f | %,d MiB | %,d MiB | 512 MiB | %d |

                Machine: %d cores (`nproc`), Java %s, load average %s when it ended. The report's JVM verifies and
                counts in one pass, several files at once. CPU time: user + system of the report's JVM (sampled every
                100 ms from /proc); peak heap used: the largest heap before a collection in its GC log
                (target/bench/report-scale-gc.log). Run: `bench/report-scale.sh [records]`.
                """, records, DAYS, seconds, cpuTicks / 100.0, records / seconds, peakHeapMb(out.resolve("report-scale-gc.log")),
                peakKb / 1024, exit, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                loadAverage());
        Files.writeString(out.resolve("report-scale.md"), md);
        System.out.print(md);
        System.exit(exit == 0 ? 0 : 1);
    }

    /** User + system time of a running process, in clock ticks (100 a second on Linux). */
    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** The largest heap in use before a collection ("123M->45M(512M)"), in MiB. */
    private static long peakHeapMb(Path gcLog) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)M->\\d+M\\(").matcher(Files.readString(gcLog));
        long peak = 0;
        while (m.find()) {
            peak = Math.max(peak, Long.parseLong(m.group(1)));
        }
        return peak;
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static long residentKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // The process ended between the check and the read.
        }
        return 0;
    }

    /** A day's share of the records, 5 000 people, 30 routes, the means in realistic proportions. */
    private static void generate(Path dir, long records) throws Exception {
        Files.createDirectories(dir);
        MovableClock clock = new MovableClock();
        SplittableRandom random = new SplittableRandom(42);
        long perDay = records / DAYS;
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(20), 100_000, Duration.ofSeconds(1), clock)) {
            for (int d = 0; d < DAYS; d++) {
                Instant dayStart = FIRST_DAY.plusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant();
                clock.now = dayStart.plusSeconds(43_200);
                long n = d == DAYS - 1 ? records - perDay * (DAYS - 1) : perDay;
                List<AuditRecord> batch = new ArrayList<>(10_000);
                for (long i = 0; i < n; i++) {
                    int means = random.nextInt(100);
                    int kind = means < 65 ? 0 : means < 72 ? 1 : means < 85 ? 2 : means < 95 ? 3 : 4;
                    int person = random.nextInt(5000);
                    batch.add(new AuditRecord(AuditRecord.timestamp(dayStart.plusMillis(i * 86_400_000L / n)), "gateway", "access",
                            "allow", "policy satisfied", "user" + person, null, LEVELS[kind], AMRS.get(kind), "s" + person,
                            "app-" + random.nextInt(30), "GET", "/page", 200, "10.0.0.1", "r" + i, Map.of()));
                    if (batch.size() == 10_000 || i == n - 1) {
                        AuditRecord last = batch.remove(batch.size() - 1);
                        writer.appendAll(batch);
                        writer.append(last, true).join();
                        batch = new ArrayList<>(10_000);
                    }
                }
            }
        }
    }

    /** The writer names its files after the clock's day: moved one day at a time. */
    private static final class MovableClock extends Clock {
        volatile Instant now = Instant.EPOCH;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
