package fr.hcbroker.audit;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * A writer process for the crash test: appends records as fast as it can and prints the number of
 * each one acknowledged as durable, until it is killed.
 */
public final class CrashingWriter {

    public static void main(String[] args) throws InterruptedException {
        AuditWriter writer = new AuditWriter(Path.of(args[0]), "gateway", Duration.ofMillis(20), 50, Duration.ofSeconds(1), Clock.systemUTC());
        // At most this many records waiting: unbounded, the loop outran the writer by millions of records
        // and the heap they filled starved it (a run once took minutes to see 3 000 acknowledged).
        Semaphore inFlight = new Semaphore(20_000);
        for (int i = 0; ; i++) {
            int n = i;
            inFlight.acquire();
            writer.append(AuditTrailTest.record(n), n % 10 == 0).whenComplete((done, failed) -> {
                inFlight.release();
                if (failed == null) {
                    synchronized (System.out) {
                        System.out.println(n);
                        System.out.flush();
                    }
                }
            });
        }
    }
}
