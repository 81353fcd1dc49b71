package fr.hcbroker.bench;

import com.sun.management.OperatingSystemMXBean;
import fr.hcbroker.audit.AuditWriter;
import fr.hcbroker.gateway.policy.AuditTrail;
import fr.hcbroker.gateway.policy.Decision;
import fr.hcbroker.gateway.policy.DecisionEvent;
import fr.hcbroker.gateway.policy.Outcome;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The audit trail's own CPU per record, in this process: an authenticated request's decision made on
 * an event loop at a steady rate, with the gateway's trail and writer (group commit, fsync, signed
 * checkpoints), against the same loop making no record. The side-by-side gateways of the harness move
 * by up to 20 % from one point to the next on this shared machine; this isolates what the trail adds.
 */
final class AuditCost {

    /** CPU per record in microseconds: the whole process's, and the writer thread's share of it. */
    record Result(double processMicros, double writerMicros, int perSecond) {
    }

    private AuditCost() {
    }

    static Result measure(Path dir, int perMillisecond, int seconds) throws Exception {
        Vertx vertx = Vertx.vertx();
        Duration half = Duration.ofMillis(25);
        try (AuditWriter writer = new AuditWriter(dir, "gateway", half, 100_000, Duration.ofSeconds(1), Clock.systemUTC())) {
            AuditTrail trail = new AuditTrail(vertx, writer, half);
            Session doctor = new Session("3f9c2a71-5d1e-4b8a-9e07-c1d2e3f4a5b6", "f1e2d3c4-b5a6-4798-8a9b-0c1d2e3f4a5b",
                    "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "dr.martin", "899700000013", "Claire", "Martin",
                    "claire.martin@demo.hc-broker.fr", List.of("10"), List.of("1234567890"), Set.of("medecin"),
                    Level.SUBSTANTIAL, List.of("pwd", "otp"), Instant.now().getEpochSecond());
            DecisionEvent allowed = new DecisionEvent(new Decision(Outcome.ALLOW, "policy satisfied"), "bench-app",
                    "GET", "/", doctor, 200, "127.0.0.1", "bench.1", null, 1_000_000);
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long writerId = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("hc-audit-writer")).findFirst().orElseThrow().getId();
            List<Double> process = new ArrayList<>();
            List<Double> writerOnly = new ArrayList<>();
            // Alternating rounds (the first of each a warm-up): with the trail, then the bare loop.
            for (int round = 0; round < 4; round++) {
                double[] with = round(vertx, trail, allowed, perMillisecond, seconds, os, threads, writerId);
                double[] without = round(vertx, null, allowed, perMillisecond, seconds, os, threads, writerId);
                if (round > 0) {
                    process.add(with[0] - without[0]);
                    writerOnly.add(with[1]);
                }
            }
            trail.close();
            process.sort(null);
            writerOnly.sort(null);
            return new Result(process.get(1), writerOnly.get(1), perMillisecond * 1000);
        } finally {
            vertx.close().await();
        }
    }

    /** Process and writer CPU per decision (µs) over one round; {@code trail} null makes no record. */
    private static double[] round(Vertx vertx, AuditTrail trail, DecisionEvent event, int perMillisecond, int seconds,
                                  OperatingSystemMXBean os, ThreadMXBean threads, long writerId) throws InterruptedException {
        long cpu = os.getProcessCpuTime();
        long writer = threads.getThreadCpuTime(writerId);
        long[] made = {0};
        CountDownLatch done = new CountDownLatch(1);
        vertx.runOnContext(v -> {
            long end = System.currentTimeMillis() + seconds * 1000L;
            vertx.setPeriodic(1, id -> {
                for (int i = 0; i < perMillisecond; i++) {
                    if (trail != null) {
                        trail.decided(event);
                    }
                    made[0]++;
                }
                if (System.currentTimeMillis() >= end) {
                    vertx.cancelTimer(id);
                    done.countDown();
                }
            });
        });
        done.await();
        Thread.sleep(300); // the last batch written and synced
        return new double[]{(os.getProcessCpuTime() - cpu) / 1000.0 / made[0],
                (threads.getThreadCpuTime(writerId) - writer) / 1000.0 / made[0]};
    }
}
