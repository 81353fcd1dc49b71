package fr.hcbroker.audit;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A writer process for the crash test: appends records as fast as it can and prints the number of
 * each one acknowledged as durable, until it is killed.
 */
public final class CrashingWriter {

    public static void main(String[] args) {
        AuditWriter writer = new AuditWriter(Path.of(args[0]), "gateway", Duration.ofMillis(20), 50, Duration.ofSeconds(1), Clock.systemUTC());
        for (int i = 0; ; i++) {
            int n = i;
            writer.append(AuditTrailTest.record(n), n % 10 == 0).thenRun(() -> {
                synchronized (System.out) {
                    System.out.println(n);
                    System.out.flush();
                }
            });
            if (i % 200 == 0) {
                Thread.onSpinWait();
            }
        }
    }
}
