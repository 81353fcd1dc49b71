package fr.hcbroker.gateway;

import fr.hcbroker.gateway.config.ConfigException;
import fr.hcbroker.gateway.config.ConfigLoader;
import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.oidc.OidcProvider;
import fr.hcbroker.audit.AuditWriter;
import fr.hcbroker.audit.SyslogForwarder;
import fr.hcbroker.gateway.policy.AuditTrail;
import fr.hcbroker.gateway.policy.DecisionLog;
import fr.hcbroker.gateway.policy.RefusalSummary;
import fr.hcbroker.gateway.proxy.GatewayServer;
import fr.hcbroker.gateway.session.InfinispanSessionStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "hc-gateway", mixinStandardHelpOptions = true,
        description = "Identity-aware reverse proxy for legacy apps.")
public final class GatewayMain implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "Path of the gateway's YAML configuration.")
    Path config;

    @Override
    public Integer call() {
        GatewayConfig parsed;
        try {
            parsed = ConfigLoader.load(config, System::getenv);
        } catch (ConfigException e) {
            System.err.println("hc-gateway: " + e.getMessage());
            return 2;
        }
        return serve(parsed, true, config);
    }

    /**
     * Runs the gateway until the JVM stops. {@code auditTrail} is false only in the benchmark harness,
     * which measures what the audit trail costs: no configuration can turn it off. With a
     * {@code configFile}, SIGHUP reloads it (as {@code kill -HUP} does for nginx).
     */
    public static int serve(GatewayConfig parsed, boolean auditTrail, Path configFile) {
        // Netty's pooled allocator unless the operator names one (read once, when Netty first
        // allocates): with Netty 4.2's default, the adaptive one, the gateway spent about a tenth more
        // CPU per proxied request in the benchmark lab, encoding headers into its buffers.
        if (System.getProperty("io.netty.allocator.type") == null) {
            System.setProperty("io.netty.allocator.type", "pooled");
        }
        Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
        InfinispanSessionStore store = new InfinispanSessionStore(vertx, parsed.session());
        OidcProvider oidc = new OidcProvider(vertx, parsed.oidc(), parsed.publicUrl().resolve("/.hc/callback"));
        // A signed checkpoint each second while records come (or each 100 000 records, if sooner): a busy
        // gateway signs once a second, as a checkpoint (signature and sync) costs about a millisecond,
        // as much as several hundred records. The group-commit window is split: event loops gather
        // allowed requests' records for half of it, the writer waits the other half for more before one fsync.
        Duration half = parsed.audit().groupCommit().dividedBy(2);
        AuditWriter audit = new AuditWriter(parsed.audit().dir(), "gateway", half, 100_000,
                Duration.ofSeconds(1), Clock.systemUTC());
        AuditTrail trail = auditTrail ? new AuditTrail(vertx, audit, half,
                parsed.audit().onWriteFailure() == GatewayConfig.OnWriteFailure.SERVE) : null;
        GatewayConfig.Syslog syslog = parsed.audit().syslog();
        SyslogForwarder forwarder = syslog == null ? null
                : new SyslogForwarder(parsed.audit().dir(), "gateway", syslog.host(), syslog.port(), syslog.tls());
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.gauge("hc_gateway_cluster_members", store, InfinispanSessionStore::members);
        io.micrometer.core.instrument.FunctionCounter.builder("hc_audit_records_lost", audit, AuditWriter::lostRecords)
                .description("Decisions whose audit record the disk refused (served anyway only with audit.onWriteFailure: serve)")
                .register(metrics);
        monitor(metrics, oidc, audit);
        // Free space of the audit volume and its watermarks (docs/en/audit.md: alert rules; the writer refuses at the critical one).
        metrics.gauge("hc_audit_disk_free_bytes", audit, AuditWriter::freeBytes);
        metrics.gauge("hc_audit_disk_low", audit, w -> w.belowLowWatermark() ? 1 : 0);
        metrics.gauge("hc_audit_disk_critical", audit, w -> w.belowCriticalWatermark() ? 1 : 0);
        // Repeated refusals from one address summarised (issue #35): windows ended are written each second.
        RefusalSummary refusals = new RefusalSummary(trail != null ? new DecisionLog().and(trail) : new DecisionLog(),
                parsed.refusals(), Clock.systemUTC());
        vertx.setPeriodic(1000, id -> refusals.flush());
        GatewayServer server = new GatewayServer(vertx, parsed, store, oidc, refusals, metrics);
        try {
            server.start().await();
        } catch (Exception e) {
            System.err.println("hc-gateway: cannot listen on " + parsed.listenHost() + ":" + parsed.listenPort()
                    + ": " + e.getMessage());
            vertx.close();
            store.close();
            audit.close();
            return 1;
        }
        System.out.println("hc-gateway listening on " + parsed.listenHost() + ":" + server.port()
                + (vertx.isNativeTransportEnabled() ? " (epoll)" : " (Java NIO" + (vertx.unavailableNativeTransportCause() == null ? "" : ": " + vertx.unavailableNativeTransportCause()) + ")"));
        if (configFile != null) {
            var previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reload(configFile, server));
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                // The JVM keeps a SIGHUP the process was started ignoring (nohup) ignored.
                System.err.println("hc-gateway: SIGHUP is ignored in this process (started under nohup?):"
                        + " the configuration cannot be reloaded by signal, only by a restart");
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            vertx.close().await();
            store.close();
            refusals.flushAll();
            if (trail != null) {
                trail.close();
            }
            audit.close();
            if (forwarder != null) {
                forwarder.close();
            }
        }));
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** A configuration that does not load, or changes what needs a restart, leaves the running one in place. */
    /** What the alert rules watch beside the decisions (monitoring/): read at scrape, off the request path. */
    private static void monitor(PrometheusMeterRegistry metrics, OidcProvider oidc, AuditWriter audit) {
        metrics.gauge("hc_gateway_ready", oidc, o -> o.isReady() ? 1 : 0);
        io.micrometer.core.instrument.FunctionCounter.builder("hc_audit_records_written", audit, AuditWriter::written)
                .description("Audit records durable on disk").register(metrics);
        io.micrometer.core.instrument.FunctionCounter.builder("hc_audit_records_refused", audit, AuditWriter::refused)
                .description("Audit records refused (full disk, I/O error)").register(metrics);
        metrics.gauge("hc_audit_writer_busy_seconds", audit, AuditWriter::busySeconds);
        new io.micrometer.core.instrument.binder.system.FileDescriptorMetrics().bindTo(metrics);
    }

    private static void reload(Path configFile, GatewayServer server) {
        try {
            GatewayConfig next = ConfigLoader.load(configFile, System::getenv);
            List<String> restartOnly = server.reload(next);
            if (restartOnly.isEmpty()) {
                System.out.println("hc-gateway: configuration reloaded from " + configFile + " ("
                        + next.routes().size() + " routes)");
            } else {
                System.err.println("hc-gateway: reload refused, still serving the previous configuration: "
                        + String.join(", ", restartOnly) + " changed, which needs a restart");
            }
        } catch (ConfigException e) {
            System.err.println("hc-gateway: reload refused, still serving the previous configuration: " + e.getMessage());
        }
    }

    public static void main(String[] args) {
        int code = new CommandLine(new GatewayMain()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
