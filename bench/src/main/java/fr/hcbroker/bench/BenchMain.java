package fr.hcbroker.bench;

import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.session.InfinispanSessionStore;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.StackPorts;
import fr.hcbroker.stack.StackSettings;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.CardTls;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.stack.demo.DemoProfessional;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * One benchmark run: the upstream app alone, nginx, Apache + mod_auth_openidc, the gateway and a
 * 2-node gateway cluster in front of it, the last three each holding {@link #sessions} sessions made
 * by real logins through the same Keycloak, under wrk at 1, 32 and 128 connections with every answer
 * checked (see {@link Wrk}); then session memory and Keycloak logins. Results: target/bench/results.md
 * and results.csv. Every peer must be measured and every session must last the run: a peer that
 * cannot be, or a session lost, is an error, not a missing row.
 */
public final class BenchMain {

    static final int REFRESH_TOKEN_LENGTH = 700;

    private static final String UPSTREAM = "upstream app (no proxy)";
    private static final String NGINX = "nginx reverse proxy";
    private static final String APACHE = "Apache mod_auth_openidc";
    private static final String GATEWAY = "hc-broker gateway";
    private static final String CLUSTER = "hc-broker gateway cluster (2 nodes)";
    private static final String WITHOUT_AUDIT = "hc-broker gateway, audit trail off, 1 session (harness only)";
    private static final String RELAY = "bare Netty relay on the gateway's JVM (no policy; harness only)";

    private record Row(String peer, int connections, Wrk.Result result, double cpuCores, double rssMiB) {
    }

    private final int seconds;
    /** People logged in for the load, each with a session on every peer that has sessions. */
    private final int sessions;
    private final Path dir = Path.of("target/bench").toAbsolutePath();
    private final Instant started = Instant.now();
    private final List<Process> processes = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, String> extra = new LinkedHashMap<>();
    /** Per connection count, the back-to-back pairs gateway / nginx, both over the same sessions' requests. */
    private final Map<Integer, List<Pair>> nginxPairs = new LinkedHashMap<>();
    /** Per connection count, the pairs gateway with / without its audit trail, one session each. */
    private final Map<Integer, List<Pair>> auditPairs = new LinkedHashMap<>();
    /** Per connection count, the pairs bare Netty relay / nginx: what the platform costs before the gateway decides anything. */
    private final Map<Integer, List<Pair>> floorPairs = new LinkedHashMap<>();
    /** At 32 connections, the pairs clustered (two nodes) / single node, the same load shape. */
    private final List<Pair> clusterPairs = new ArrayList<>();
    private static final int PAIRS = 5;

    private record Measured(double requestsPerSecond, double cpuPerRequest) {
    }

    private BenchMain(int seconds, int sessions) {
        this.seconds = seconds;
        this.sessions = sessions;
    }

    /**
     * The trail's own CPU per record (see {@link AuditCost}), next to the gateway's CPU per request at
     * 32 connections from this run: the part of the gateway's work that the trail is.
     */
    private void auditCost() throws Exception {
        Row gateway = find(GATEWAY, 32);
        double perRequest = gateway.cpuCores() / gateway.result().requestsPerSecond() * 1e6;
        int perMillisecond = (int) Math.max(1, Math.round(gateway.result().requestsPerSecond() / 1000));
        Path auditDir = dir.resolve("audit-cost");
        deleteTree(auditDir);
        AuditCost.Result cost = AuditCost.measure(auditDir, perMillisecond, seconds);
        extra.put("audit trail CPU per record, in process (an authenticated request's record, " + cost.perSecond()
                        + "/s on one event loop, with / without the trail, median of 3 alternating rounds)",
                String.format("%.2f µs, of which the writer thread %.2f µs: %.1f %% of the gateway's CPU per request"
                                + " at 32 connections in this run (%.1f µs)", cost.processMicros(), cost.writerMicros(),
                        100 * cost.processMicros() / perRequest, perRequest));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * {@code [seconds per load point] [sessions]}: 8 s and 1 000 people by default (fewer sessions
     * only to try the harness). A failure ends the run with one line saying which peer and what; the
     * stack trace goes to target/bench/failure.txt.
     */
    public static void main(String[] args) throws Exception {
        BenchMain bench = new BenchMain(args.length > 0 ? Integer.parseInt(args[0]) : 8,
                args.length > 1 ? Integer.parseInt(args[1]) : 1000);
        try {
            bench.run();
        } catch (Exception | AssertionError e) {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            Files.createDirectories(bench.dir);
            Files.writeString(bench.dir.resolve("failure.txt"), trace.toString());
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
            System.err.println((message.startsWith("benchmark: ") ? "" : "benchmark: " + e.getClass().getSimpleName()
                    + ": ") + message);
            System.exit(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(dir.resolve("tmp"));
        // Every gateway starts with an empty audit log: one left by earlier runs (gigabytes after a
        // day of them) makes the audited gateway count its lines at its first record and write to a
        // larger file than the unaudited one's, which is not what the audit figures compare.
        for (String previous : List.of("audit", "without-audit", "cluster-node-1", "cluster-node-2")) {
            deleteTree(dir.resolve(previous));
        }
        Path dist;
        try (Stream<Path> d = Files.list(Path.of("stack/target/keycloak-dist"))) {
            dist = d.filter(p -> p.getFileName().toString().startsWith("keycloak-")).findFirst().orElseThrow();
        }
        StackPorts ports = StackPorts.free();
        Stack stack = new Stack(new StackSettings(dist, Path.of("realms"), dir.resolve("stack"), Optional.empty(), ports,
                "admin", "admin-bench"));
        try {
            stack.start();
            measure(stack, ports);
        } finally {
            processes.forEach(p -> {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            });
            stack.close();
        }
        report();
    }

    private void measure(Stack stack, StackPorts ports) throws Exception {
        int upstreamPort = freePort();
        int nginxPort = freePort();
        int apachePort = freePort();
        Process upstream = nginx("upstream", Peers.nginxUpstream(dir, upstreamPort));
        Peers.awaitHttp("upstream nginx", "http://127.0.0.1:" + upstreamPort + "/", upstream, dir.resolve("upstream.log"));
        Process nginx = nginx("proxy", Peers.nginxProxy(dir, nginxPort, upstreamPort));
        Peers.awaitHttp("nginx proxy", "http://127.0.0.1:" + nginxPort + "/", nginx, dir.resolve("proxy.log"));

        AdminApi admin = new AdminApi(stack);
        String oidcSecret = UUID.randomUUID().toString();
        int created = admin.send("POST", "/admin/realms/hospiconnect/clients", Map.of("clientId", "bench-mod-auth-openidc",
                "secret", oidcSecret, "publicClient", false, "standardFlowEnabled", true,
                "redirectUris", List.of("http://127.0.0.1:" + apachePort + "/redirect_uri")));
        require(created == 201, "cannot create the mod_auth_openidc client: " + created);
        Files.writeString(dir.resolve("apache.conf"), Peers.apache(dir, apachePort, upstreamPort, stack.keycloakUrl(),
                "bench-mod-auth-openidc", oidcSecret));
        Process apache = track(Peers.start(List.of("/usr/sbin/apache2", "-f", dir.resolve("apache.conf").toString(),
                "-DFOREGROUND"), dir.resolve("apache.log"), Map.of("APACHE_RUN_DIR", dir.toString())));
        Peers.awaitHttp("apache", "http://127.0.0.1:" + apachePort + "/", apache, dir.resolve("apache.log"));

        Files.writeString(dir.resolve("gateway.yaml"), Peers.gateway(dir, ports.gateway(), stack.gatewayUrl(), upstreamPort,
                stack.keycloakUrl()));
        Path gatewayJar;
        try (Stream<Path> jars = Files.list(Path.of("gateway/target"))) {
            gatewayJar = jars.filter(p -> p.getFileName().toString().endsWith("-app.jar")).findFirst().orElseThrow();
        }
        List<String> gatewayCommand = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m"));
        // Extra JVM flags for the gateway, e.g. a flight recording to profile it under load.
        String extraFlags = System.getenv("HC_BENCH_GATEWAY_JVM_FLAGS");
        if (extraFlags != null && !extraFlags.isBlank()) {
            gatewayCommand.addAll(List.of(extraFlags.trim().split("\\s+")));
        }
        gatewayCommand.addAll(List.of("-jar", gatewayJar.toString(), "--config", dir.resolve("gateway.yaml").toString()));
        Process gateway = track(Peers.start(gatewayCommand,
                dir.resolve("gateway.log"), Map.of("HC_GATEWAY_CLIENT_SECRET", stack.gatewayClientSecret())));
        Peers.awaitHttp("gateway", "http://127.0.0.1:" + ports.gateway() + "/healthz", gateway, dir.resolve("gateway.log"));
        String gatewayUrl = stack.gatewayUrl() + "/";
        String apacheUrl = "http://127.0.0.1:" + apachePort + "/";
        String upstreamUrl = "http://127.0.0.1:" + upstreamPort + "/";
        String nginxUrl = "http://127.0.0.1:" + nginxPort + "/";

        // The load's people: each logs in for real (password + TOTP) to the gateway and to Apache.
        ProcessHandle keycloak = ProcessHandle.of(stack.keycloak().pid()).orElseThrow();
        List<SessionLogins.User> users = SessionLogins.create(admin, sessions);
        Wrk.Workload many = madeSessions("gateway", List.of(gatewayUrl), users, "gateway", keycloak, List.of(gateway));
        Wrk.Workload apacheMany = madeSessions("Apache mod_auth_openidc", List.of(apacheUrl), users, "oidc", keycloak,
                List.of(apache));
        // nginx and the app alone get the same requests as the gateway (cookie and all); they check no identity.
        Wrk.Workload anonymous = new Wrk.Workload(many.sessions(), "none");
        SessionLogins.requireAlive(GATEWAY, gatewayUrl, many);
        SessionLogins.requireAlive(APACHE, apacheUrl, apacheMany);

        // Warm-up, not recorded: the JVM gateway's JIT compiles its hot paths in the first seconds (its
        // compiler threads still take a tenth of a core 15 s in: see gatewayWarmUp).
        Wrk.run(UPSTREAM, upstreamUrl, 32, seconds, anonymous);
        Wrk.run(NGINX, nginxUrl, 32, seconds, anonymous);
        Wrk.run(APACHE, apacheUrl, 32, seconds, apacheMany);
        gatewayWarmUp(GATEWAY, gatewayUrl, many);

        // The same gateway without its audit trail (a harness-only entry point: no configuration turns
        // the trail off), beside it on its own port and audit directory: what the trail costs. Both
        // serve one person here (the audit pairs compare the trail, not the number of sessions).
        int unauditedPort = freePort();
        String unauditedUrl = "http://127.0.0.1:" + unauditedPort;
        allowRedirect(admin, unauditedUrl + "/*");
        Path unauditedDir = dir.resolve("without-audit");
        Files.createDirectories(unauditedDir);
        Files.writeString(unauditedDir.resolve("gateway.yaml"), Peers.gateway(unauditedDir, unauditedPort, unauditedUrl,
                upstreamPort, stack.keycloakUrl()));
        List<String> unauditedCommand = new ArrayList<>(gatewayCommand.subList(0, gatewayCommand.indexOf("-jar")));
        unauditedCommand.addAll(List.of("-cp", Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toString(), GatewayWithoutAudit.class.getName(), unauditedDir.resolve("gateway.yaml").toString()));
        Process unaudited = track(Peers.start(unauditedCommand, dir.resolve("gateway-without-audit.log"),
                Map.of("HC_GATEWAY_CLIENT_SECRET", stack.gatewayClientSecret())));
        Peers.awaitHttp("gateway without audit", unauditedUrl + "/healthz", unaudited, dir.resolve("gateway-without-audit.log"));
        DemoProfessional doctor = DemoProfessional.ALL.get(0);
        SessionLogins.User doctorUser = new SessionLogins.User(doctor.username(), doctor.password(), doctor.totpSecret());
        Wrk.Workload doctorAudited = oneSession("doctor-audited", doctorUser, gatewayUrl);
        Wrk.Workload doctorUnaudited = oneSession("doctor-unaudited", doctorUser, unauditedUrl + "/");
        gatewayWarmUp(WITHOUT_AUDIT, unauditedUrl + "/", doctorUnaudited);

        for (int connections : List.of(1, 32, 128)) {
            load(UPSTREAM, upstreamUrl, connections, anonymous, upstream);
            load(NGINX, nginxUrl, connections, anonymous, nginx);
            load(APACHE, apacheUrl, connections, apacheMany, apache);
            load(GATEWAY, gatewayUrl, connections, many, gateway);
            load(WITHOUT_AUDIT, unauditedUrl + "/", connections, doctorUnaudited, unaudited);
        }
        // Back-to-back pairs per point, alternating which goes first: on this shared 2-core machine one
        // point moves by up to 20 %, so the ratios the targets name are medians of pairs. CPU per request
        // (the process's CPU over its requests) is the steadier measure; throughput is what the targets name.
        Side gatewaySide = new Side(GATEWAY, List.of(gatewayUrl), many, List.of(gateway));
        // Keycloak meanwhile refreshes the sessions' tokens (each some 4 minutes after the last): its CPU
        // over these minutes is what the gateway's sessions cost it, idle work included.
        double keycloakCpu = ProcessTree.cpuSeconds(keycloak);
        long pairsStart = System.nanoTime();
        for (int connections : List.of(1, 32, 128)) {
            nginxPairs.put(connections, pairs(connections, gatewaySide,
                    new Side(NGINX, List.of(nginxUrl), anonymous, List.of(nginx))));
        }
        double pairsWall = (System.nanoTime() - pairsStart) / 1e9;
        extra.put("Keycloak CPU while the gateway serves its " + sessions + " sessions (the gateway / nginx pairs, "
                        + "token refreshes and Keycloak's idle work)", String.format("%.3f cores over %.0f s",
                (ProcessTree.cpuSeconds(keycloak) - keycloakCpu) / pairsWall, pairsWall));
        for (int connections : List.of(1, 32, 128)) {
            auditPairs.put(connections, pairs(connections, new Side(GATEWAY, List.of(gatewayUrl), doctorAudited, List.of(gateway)),
                    new Side(WITHOUT_AUDIT, List.of(unauditedUrl + "/"), doctorUnaudited, List.of(unaudited))));
        }
        auditCost();
        floor(gatewayCommand, upstreamPort, nginxUrl, nginx, anonymous);
        Side cluster = cluster(stack, admin, gatewayCommand, upstreamPort, users, keycloak);
        // The single node under the cluster's load shape: two wrk at once, half the connections each.
        Side single = new Side(GATEWAY, List.of(gatewayUrl, gatewayUrl), many, List.of(gateway));
        clusterPairs.addAll(pairs(32, cluster, single));
        pacedLatency(new Side(UPSTREAM, List.of(upstreamUrl), anonymous, List.of(upstream)),
                new Side(NGINX, List.of(nginxUrl), anonymous, List.of(nginx)), gatewaySide, cluster);
        extra.put("session read latency", ClusterSessionReads.measure());
        sessionMemory();
        clusteredSessionMemory();
        logins(stack, admin);
        // Every session made at the start must still be there: one lost during the run fails it, named.
        SessionLogins.requireAlive(GATEWAY, gatewayUrl, many);
        SessionLogins.requireAlive(APACHE, apacheUrl, apacheMany);
        for (String url : cluster.urls()) {
            SessionLogins.requireAlive("gateway cluster node " + url, url, cluster.workload());
        }
    }

    /**
     * The platform's floor: {@link NettyRelay} with the gateway's JVM flags, warmed up as the gateway
     * is, in back-to-back pairs with nginx over the same requests.
     */
    private void floor(List<String> gatewayCommand, int upstreamPort, String nginxUrl, Process nginx,
                       Wrk.Workload anonymous) throws Exception {
        int port = freePort();
        String url = "http://127.0.0.1:" + port + "/";
        List<String> command = new ArrayList<>(gatewayCommand.subList(0, gatewayCommand.indexOf("-jar")));
        command.addAll(List.of("-cp", Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString(), NettyRelay.class.getName(), String.valueOf(port), String.valueOf(upstreamPort)));
        Process relay = track(Peers.start(command, dir.resolve("netty-relay.log"), Map.of()));
        Peers.awaitHttp("bare Netty relay", url, relay, dir.resolve("netty-relay.log"));
        gatewayWarmUp(RELAY, url, anonymous);
        for (int connections : List.of(1, 32, 128)) {
            floorPairs.put(connections, pairs(connections, new Side(RELAY, List.of(url), anonymous, List.of(relay)),
                    new Side(NGINX, List.of(nginxUrl), anonymous, List.of(nginx))));
        }
        relay.destroy();
    }

    /** Logs every user in through {@code urls}; records the rate and CPU per login; the load over those sessions. */
    private Wrk.Workload madeSessions(String peer, List<String> urls, List<SessionLogins.User> users, String identityField,
                                      ProcessHandle keycloak, List<Process> peerProcesses) throws Exception {
        SessionLogins.Made made = SessionLogins.login(urls, users, dir.resolve("sessions-" + peer.replaceAll("\\W+", "-")
                + ".txt"), identityField, keycloak, peerProcesses.stream().map(Process::toHandle).toList());
        extra.put(users.size() + " logins (password + TOTP) through the " + peer + ", " + SessionLogins.PARALLEL + " at once",
                String.format("%.1f logins/s, Keycloak %.0f ms CPU per login, the %s %.1f ms", made.perSecond(),
                        made.keycloakCpuMs(), peer, made.peerCpuMs()));
        return made.workload();
    }

    /** A workload of one person's session (the audit pairs compare the trail alone). */
    private Wrk.Workload oneSession(String name, SessionLogins.User user, String url) throws Exception {
        Path file = dir.resolve("session-" + name + ".txt");
        Files.writeString(file, user.name() + "\t" + SessionLogins.cookie(url, user) + "\n");
        return new Wrk.Workload(file, "gateway");
    }

    /**
     * Added latency where it is the proxy's own: 32 connections each pausing 4 ms between requests
     * (some 7 000 req/s, far below every peer's saturation), three interleaved runs per peer, medians.
     * At saturation (the table) p99 is mostly queueing behind wrk and the app on the same two cores.
     * The cluster's p99 is the higher of its two nodes' (16 connections each).
     */
    private void pacedLatency(Side app, Side nginx, Side gateway, Side cluster) throws Exception {
        Map<String, List<Wrk.Result>> runs = new LinkedHashMap<>();
        for (int round = 0; round < 3; round++) {
            for (Side side : List.of(app, nginx, gateway, cluster)) {
                runs.computeIfAbsent(side.peer(), k -> new ArrayList<>()).add(paced(side));
            }
        }
        Map<String, double[]> median = new LinkedHashMap<>();
        runs.forEach((peer, results) -> {
            double[] p50 = results.stream().mapToDouble(Wrk.Result::p50Ms).sorted().toArray();
            double[] p99 = results.stream().mapToDouble(Wrk.Result::p99Ms).sorted().toArray();
            double[] rate = results.stream().mapToDouble(Wrk.Result::requestsPerSecond).sorted().toArray();
            median.put(peer, new double[]{p50[1], p99[1], rate[1]});
        });
        double[] bare = median.get(app.peer());
        double[] proxy = median.get(nginx.peer());
        double[] single = median.get(gateway.peer());
        double[] clustered = median.get(cluster.peer());
        extra.put("steady load, 32 connections each pausing " + PAUSE_MS + " ms, " + sessions
                        + " sessions (median of 3; p50 / p99)",
                String.format("app alone %.0f req/s, %.3f / %.3f ms; nginx %.3f / %.3f ms; gateway %.3f / %.3f ms;"
                                + " gateway cluster %.3f / %.3f ms", bare[2], bare[0], bare[1], proxy[0], proxy[1],
                        single[0], single[1], clustered[0], clustered[1]));
        extra.put("p99 added over the bare app at that steady load (target < 2 ms)", String.format(
                "gateway %.3f ms, gateway cluster %.3f ms, nginx %.3f ms", single[1] - bare[1], clustered[1] - bare[1],
                proxy[1] - bare[1]));
    }

    /** One paced run of a side: its connections split over its URLs, run at once; the worst p99 of them. */
    private Wrk.Result paced(Side side) throws Exception {
        List<Wrk.Result> parts = inParallel(side, 32, PAUSE_MS);
        return new Wrk.Result(parts.stream().mapToDouble(Wrk.Result::requestsPerSecond).sum(),
                parts.stream().mapToDouble(Wrk.Result::p50Ms).max().orElseThrow(),
                parts.stream().mapToDouble(Wrk.Result::p99Ms).max().orElseThrow(),
                parts.stream().mapToLong(Wrk.Result::requests).sum());
    }

    private static final int PAUSE_MS = 4;

    /**
     * Two gateway nodes sharing sessions (Infinispan over JGroups, 2 owners: each node holds every
     * session), {@link #sessions} people logged in on them, every other one on each node. Their load
     * is two wrk at once, one per node, each over all the sessions: every session is read on both
     * nodes, and a request's node alternates with the wrk it comes from, as behind a load balancer
     * without affinity. One URL per wrk is why: wrk cannot change host or port between requests.
     */
    private Side cluster(Stack stack, AdminApi admin, List<String> gatewayCommand, int upstreamPort,
                         List<SessionLogins.User> users, ProcessHandle keycloak) throws Exception {
        int[] ports = {freePort(), freePort()};
        int[] jgroups = {ClusterSessionReads.clusterPort().getPort(), ClusterSessionReads.clusterPort().getPort()};
        String members = "127.0.0.1:" + jgroups[0] + ", 127.0.0.1:" + jgroups[1];
        List<String> urls = new ArrayList<>();
        List<Process> nodes = new ArrayList<>();
        String clusterSecret = UUID.randomUUID() + "-" + UUID.randomUUID();
        for (int i = 0; i < 2; i++) {
            String url = "http://127.0.0.1:" + ports[i];
            allowRedirect(admin, url + "/*");
            Path nodeDir = dir.resolve("cluster-node-" + (i + 1));
            Files.createDirectories(nodeDir);
            Files.writeString(nodeDir.resolve("gateway.yaml"), Peers.gateway(nodeDir, ports[i], url, upstreamPort,
                    stack.keycloakUrl()) + Peers.cluster(jgroups[i], members));
            List<String> command = new ArrayList<>(gatewayCommand);
            command.set(command.size() - 1, nodeDir.resolve("gateway.yaml").toString());
            Process node = track(Peers.start(command, nodeDir.resolve("gateway.log"),
                    Map.of("HC_GATEWAY_CLIENT_SECRET", stack.gatewayClientSecret(),
                            "HC_GATEWAY_CLUSTER_SECRET", clusterSecret)));
            Peers.awaitHttp("cluster node " + (i + 1), url + "/healthz", node, nodeDir.resolve("gateway.log"));
            urls.add(url + "/");
            nodes.add(node);
        }
        Wrk.Workload workload = madeSessions("gateway cluster", urls, users, "gateway", keycloak, nodes);
        for (String url : urls) {
            SessionLogins.requireAlive("gateway cluster node " + url, url, workload);
        }
        Side cluster = new Side(CLUSTER, urls, workload, nodes);
        // Warm-up, not recorded, as for the single node.
        inParallel(cluster, 2, 10, 0);
        inParallel(cluster, 32, 20, 0);
        return cluster;
    }

    /**
     * Runs one wrk per URL of the side at once, {@code connections} split between them; each wrk
     * spreads its requests over all the side's sessions.
     */
    private List<Wrk.Result> inParallel(Side side, int connections, int pauseMs) throws Exception {
        return inParallel(side, connections, seconds, pauseMs);
    }

    private List<Wrk.Result> inParallel(Side side, int connections, int runSeconds, int pauseMs) throws Exception {
        int each = connections / side.urls().size();
        // A thread per wrk: the common fork-join pool has a single thread on two cores, which would run them in turn.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(side.urls().size());
        try {
            List<java.util.concurrent.Future<Wrk.Result>> runs = new ArrayList<>();
            for (String url : side.urls()) {
                runs.add(pool.submit(() -> Wrk.run(side.peer(), url, each, runSeconds, side.workload(), pauseMs)));
            }
            List<Wrk.Result> results = new ArrayList<>();
            for (var run : runs) {
                try {
                    results.add(run.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Lets the hc-gateway client return to one more gateway (the audit-off one on its own port). */
    private static void allowRedirect(AdminApi admin, String uri) {
        String id = admin.get("/admin/realms/hospiconnect/clients?clientId=" + Stack.GATEWAY_CLIENT_ID).get(0).path("id").asText();
        com.fasterxml.jackson.databind.node.ObjectNode client =
                (com.fasterxml.jackson.databind.node.ObjectNode) admin.get("/admin/realms/hospiconnect/clients/" + id);
        client.withArray("redirectUris").add(uri);
        require(admin.send("PUT", "/admin/realms/hospiconnect/clients/" + id, client) == 204,
                "cannot add the audit-off gateway's redirect URI");
    }

    private void load(String peer, String url, int connections, Wrk.Workload workload, Process process) throws Exception {
        ProcessHandle handle = process.toHandle();
        double cpuBefore = ProcessTree.cpuSeconds(handle);
        Wrk.Result result = Wrk.run(peer, url, connections, seconds, workload);
        double cores = (ProcessTree.cpuSeconds(handle) - cpuBefore) / seconds;
        rows.add(new Row(peer, connections, result, cores, ProcessTree.rssMiB(handle)));
        System.out.printf("%-26s c=%-3d %9.0f req/s p50 %.2f ms p99 %.2f ms%n", peer, connections,
                result.requestsPerSecond(), result.p50Ms(), result.p99Ms());
    }

    /** 30 s at 1 and 32 connections: until then the JIT is still compiling, on the cores being measured. */
    private static void gatewayWarmUp(String peer, String url, Wrk.Workload workload) throws Exception {
        Wrk.run(peer, url, 1, 10, workload);
        Wrk.run(peer, url, 32, 20, workload);
    }

    /**
     * What is measured in a pair: a peer's URLs (one wrk each, at once, connections split between them),
     * its sessions and the processes whose CPU counts.
     */
    private record Side(String peer, List<String> urls, Wrk.Workload workload, List<Process> processes) {
    }

    /** One back-to-back pair: the first side's and the second side's measures. */
    private record Pair(Measured a, Measured b) {
        double throughput() {
            return a.requestsPerSecond() / b.requestsPerSecond();
        }

        double cpu() {
            return a.cpuPerRequest() / b.cpuPerRequest();
        }
    }

    /** {@link #PAIRS} back-to-back runs of {@code a} and {@code b}, alternating which goes first. */
    private List<Pair> pairs(int connections, Side a, Side b) throws Exception {
        List<Pair> pairs = new ArrayList<>();
        for (int pair = 0; pair < PAIRS; pair++) {
            Measured first = measured(pair % 2 == 0 ? a : b, connections);
            Measured second = measured(pair % 2 == 0 ? b : a, connections);
            pairs.add(pair % 2 == 0 ? new Pair(first, second) : new Pair(second, first));
        }
        return pairs;
    }

    private Measured measured(Side side, int connections) throws Exception {
        double cpuBefore = side.processes().stream().mapToDouble(p -> ProcessTree.cpuSeconds(p.toHandle())).sum();
        List<Wrk.Result> results = inParallel(side, connections, 0);
        double cpu = side.processes().stream().mapToDouble(p -> ProcessTree.cpuSeconds(p.toHandle())).sum() - cpuBefore;
        double rate = results.stream().mapToDouble(Wrk.Result::requestsPerSecond).sum();
        return new Measured(rate, cpu / (rate * seconds));
    }

    /** Heap per live session in the gateway's own store, sessions shaped like real ones. */
    private void sessionMemory() throws Exception {
        Vertx vertx = Vertx.vertx();
        InfinispanSessionStore store = new InfinispanSessionStore(vertx,
                new GatewayConfig.SessionConfig(Duration.ofHours(1), Duration.ofHours(10), null));
        try {
            long base = usedHeapAfterGc();
            int done = 0;
            for (int target : List.of(10_000, 100_000)) {
                done = fill(List.of(store), done, target);
                long used = usedHeapAfterGc() - base;
                extra.put("heap for " + target + " live sessions, single node" + (target == 100_000 ? " (target < 150 MB)" : ""),
                        String.format("%.1f MiB (%.0f bytes per session)", used / 1048576.0, (double) used / target));
            }
        } finally {
            store.close();
            vertx.close().await();
        }
    }

    /**
     * The same for a cluster: two nodes of 2 owners in this JVM (the way {@link ClusterSessionReads}
     * builds them), sessions written on either; each node then holds every session, so a node's heap is
     * half of what the two add. The JVM of a real node would hold the same objects (a session received
     * from the other node is its own deserialized copy), not measured here: its process is not alone
     * in its heap (connections, JIT, buffers), which a heap dump of one session count cannot separate.
     */
    private void clusteredSessionMemory() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<InfinispanSessionStore> nodes = new ArrayList<>();
        try {
            List<java.net.InetSocketAddress> members = List.of(ClusterSessionReads.clusterPort(),
                    ClusterSessionReads.clusterPort());
            for (java.net.InetSocketAddress self : members) {
                nodes.add(new InfinispanSessionStore(vertx, new GatewayConfig.SessionConfig(Duration.ofHours(1),
                        Duration.ofHours(10), new GatewayConfig.Cluster("hc-bench-memory", "127.0.0.1", self.getPort(),
                        members, 2, null, "a-shared-secret-of-the-bench-nodes"))));
            }
            long base = usedHeapAfterGc();
            int target = 100_000;
            fill(nodes, 0, target);
            long used = usedHeapAfterGc() - base;
            extra.put("heap for " + target + " live sessions, per node of a 2-node cluster (2 owners: every node holds"
                    + " every session)", String.format("%.1f MiB (%.0f bytes per session)", used / 2 / 1048576.0,
                    (double) used / 2 / target));
        } finally {
            nodes.forEach(InfinispanSessionStore::close);
            vertx.close().await();
        }
    }

    /** Adds sessions {@code from} to {@code to}, written on the stores in turn, a few writes in flight. */
    private static int fill(List<InfinispanSessionStore> stores, int from, int to) {
        List<io.vertx.core.Future<Void>> inFlight = new ArrayList<>();
        for (int i = from; i < to; i++) {
            // As a login makes them: cookie and correlation ids of 32 random bytes, Keycloak's UUIDs, and
            // codes and role names as new strings each time (parsed from the tokens), not shared literals.
            inFlight.add(stores.get(i % stores.size()).put(randomId(), new Session(randomId(),
                    UUID.randomUUID().toString(), UUID.randomUUID().toString(), "user" + i, "8" + (99700000000L + i),
                    "Hélène", "Lefèvre-Dupré", "user" + i + "@hopital.example", List.of(parsed("60")),
                    List.of(parsed("750712184")), java.util.Set.of(parsed("default-roles-hospiconnect"),
                    parsed("offline_access"), parsed("uma_authorization")), Level.SUBSTANTIAL,
                    List.of(parsed("pwd"), parsed("otp"), parsed("mfa")), Instant.now().getEpochSecond(),
                    refreshTokenLike(), Instant.now().getEpochSecond() + 240, null)));
            if (inFlight.size() == 64 || i == to - 1) {
                inFlight.forEach(f -> f.await());
                inFlight.clear();
            }
        }
        return to;
    }

    /** One complete browser login into hospiconnect, ending at {@code redirect} with a code. */
    private interface OneLogin {
        Browser.Page run(int index, String authorizationUrl) throws Exception;
    }

    /**
     * Keycloak logins done one after the other, each in a fresh browser: stock password login (an app
     * lowered to eidas1) against password + TOTP, the CPS card (its OCSP answer cached after a first
     * login) and Pro Santé Connect through the stand-in (whose own login runs on the same Keycloak).
     */
    private void logins(Stack stack, AdminApi admin) throws Exception {
        String lowSecret = UUID.randomUUID().toString();
        admin.send("POST", "/admin/realms/hospiconnect/clients", Map.of("clientId", "bench-password-only",
                "secret", lowSecret, "publicClient", false, "standardFlowEnabled", true,
                "redirectUris", List.of("http://127.0.0.1:1/cb"), "attributes", Map.of("minimum.acr.value", "eidas1")));
        int n = 30;
        List<String[]> users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "bench-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
            String secret = "totp-" + UUID.randomUUID();
            admin.createUser(name, "Pw-" + name, secret);
            users.add(new String[]{name, "Pw-" + name, secret});
        }
        SSLContext card = CardTls.context(stack, stack.cards().pki().card("dr.martin"), false);
        DemoProfessional nurse = DemoProfessional.ALL.get(1);
        String low = "bench-password-only";
        String gateway = Stack.GATEWAY_CLIENT_ID;

        OneLogin passwordLogin = (i, url) -> {
            Browser browser = new Browser();
            Browser.Page form = browser.get(url, isCallback(url));
            return browser.submit(form, form.form("kc-form-login"),
                    Map.of("username", users.get(i)[0], "password", users.get(i)[1]), isCallback(url));
        };
        // Warm-up, not counted: the first logins of a fresh Keycloak pay for its JIT compilation.
        loginCost(null, stack, n, stack.keycloakUrl(), low, passwordLogin);
        double password = loginCost("Keycloak login, password only (stock, eidas1)", stack, n, stack.keycloakUrl(), low,
                passwordLogin);
        loginCost("Keycloak login, password + TOTP (eidas2)", stack, n, stack.keycloakUrl(), gateway, (i, url) -> {
            Browser browser = new Browser();
            Browser.Page form = browser.get(url, isCallback(url));
            Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                    Map.of("username", users.get(i)[0], "password", users.get(i)[1]), isCallback(url));
            return browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(users.get(i)[2])),
                    isCallback(url));
        });
        OneLogin cardLogin = (i, url) -> new Browser(card).get(url, isCallback(url));
        OneLogin pscLogin = (i, url) -> {
            Browser browser = new Browser();
            Browser.Page wallet = browser.get(url + "&kc_idp_hint=pro-sante-connect", isCallback(url));
            return browser.submit(wallet, Map.of("username", nurse.idNat(), "password", nurse.password()), isCallback(url));
        };
        // Warm-ups, not counted: the card's first OCSP answer is fetched, the nurse's PSC account linked.
        loginCost(null, stack, 1, stack.keycloakHttpsUrl(), gateway, cardLogin);
        loginCost(null, stack, 1, stack.keycloakUrl(), gateway, pscLogin);
        double cps = loginCost("Keycloak login, CPS card over mutual TLS, OCSP answer cached (eidas3)", stack, n,
                stack.keycloakHttpsUrl(), gateway, cardLogin);
        double psc = loginCost("Keycloak login, Pro Santé Connect through the stand-in (eidas2; both logins on this Keycloak)",
                stack, n, stack.keycloakUrl(), gateway, pscLogin);
        extra.put("CPS card / stock password login, CPU per login (Keycloak + card proxy)",
                String.format("%.2f (target <= 1.2)", cps / password));
        extra.put("PSC via stand-in / stock password login, CPU per login (Keycloak + card proxy)",
                String.format("%.2f", psc / password));
    }

    /**
     * Runs {@code n} logins, records logins/s and CPU per login under {@code label} (a null label: a
     * warm-up, not recorded), returns the CPU ms per login: Keycloak's and the card proxy's (nginx, in
     * front of Keycloak's https port; a card's TLS handshake is spent there).
     */
    private double loginCost(String label, Stack stack, int n, String keycloakUrl, String client, OneLogin login)
            throws Exception {
        ProcessHandle keycloak = ProcessHandle.of(stack.keycloak().pid()).orElseThrow();
        ProcessHandle cardProxy = stack.cardProxy().process();
        double cpu = ProcessTree.cpuSeconds(keycloak);
        double proxyCpu = ProcessTree.cpuSeconds(cardProxy);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String url = authorizationUrl(keycloakUrl, client, stack);
            Browser.Page page = login.run(i, url);
            require(isCallback(url).test(page.uri()) && page.uri().getQuery().contains("code="),
                    (label == null ? "warm-up" : label) + ": a benchmark login did not complete: " + page.uri());
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double cpuPerLogin = (ProcessTree.cpuSeconds(keycloak) - cpu) / n * 1000;
        double proxyPerLogin = (ProcessTree.cpuSeconds(cardProxy) - proxyCpu) / n * 1000;
        if (label != null) {
            extra.put(label, String.format("%.1f logins/s sequential, %.0f ms Keycloak CPU per login"
                    + " (+ %.1f ms in the card proxy, nginx)", n / wall, cpuPerLogin, proxyPerLogin));
        }
        return cpuPerLogin + proxyPerLogin;
    }

    private static String redirect(String client, Stack stack) {
        return Stack.GATEWAY_CLIENT_ID.equals(client) ? stack.gatewayUrl() + "/cb" : "http://127.0.0.1:1/cb";
    }

    private static String authorizationUrl(String keycloakUrl, String client, Stack stack) {
        return keycloakUrl + "/realms/hospiconnect/protocol/openid-connect/auth?response_type=code&scope=openid"
                + "&client_id=" + client + "&redirect_uri=" + redirect(client, stack)
                + "&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    }

    /** Stops a browser at the client's redirect URI (recovered from the authorization URL). */
    private static Predicate<URI> isCallback(String authorizationUrl) {
        String redirect = authorizationUrl.replaceAll(".*[?&]redirect_uri=([^&]+).*", "$1");
        return u -> u.toString().startsWith(redirect);
    }

    private void report() throws Exception {
        StringBuilder csv = new StringBuilder("peer,connections,requests_per_s,p50_ms,p99_ms,cpu_cores,rss_mib\n");
        StringBuilder md = new StringBuilder();
        md.append("# hc-broker benchmark\n\n")
                .append("- date: ").append(started).append(" to ").append(Instant.now()).append('\n')
                .append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(ManagementFactory.getOperatingSystemMXBean().getName()).append(' ')
                .append(ManagementFactory.getOperatingSystemMXBean().getArch()).append(", Java ")
                .append(System.getProperty("java.version")).append('\n')
                .append("- command: `bench/run.sh ").append(seconds).append(sessions == 1000 ? "" : " " + sessions)
                .append("` (wrk, ").append(seconds).append(" s per point, all on loopback; wrk shares the 2 cores with the"
                        + " proxies; every answer checked: the app's 200 with the expected identity)\n")
                .append("- sessions: ").append(sessions).append(" people logged in (password + TOTP) on each of the"
                        + " gateway, Apache mod_auth_openidc and the gateway cluster; each request carries one of them"
                        + " in turn\n\n")
                .append("| peer | connections | req/s | p50 ms | p99 ms | CPU cores | RSS MiB |\n|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format("| %s | %d | %.0f | %.2f | %.2f | %.2f | %.0f |%n", r.peer(), r.connections(),
                    r.result().requestsPerSecond(), r.result().p50Ms(), r.result().p99Ms(), r.cpuCores(), r.rssMiB()));
            csv.append(String.format("%s,%d,%.1f,%.3f,%.3f,%.3f,%.1f%n", r.peer(), r.connections(),
                    r.result().requestsPerSecond(), r.result().p50Ms(), r.result().p99Ms(), r.cpuCores(), r.rssMiB()));
        }
        md.append("\n| ratio | 1 | 32 | 128 |\n|---|---|---|---|\n");
        md.append(ratioRow("gateway / nginx throughput, the table's single runs", GATEWAY, NGINX));
        md.append(pairRows("gateway / nginx throughput, " + sessions + " sessions, median of " + PAIRS
                + " back-to-back pairs (target >= 0.80 at 32 and 128)", nginxPairs, Pair::throughput));
        md.append(medianRow("gateway CPU per request, µs, median of the same pairs", nginxPairs, p -> p.a().cpuPerRequest() * 1e6));
        md.append(medianRow("nginx CPU per request, µs, median of the same pairs", nginxPairs, p -> p.b().cpuPerRequest() * 1e6));
        md.append(pairRows("bare Netty relay / nginx throughput (the platform's floor: the gateway's JVM, Netty and codecs,"
                + " no policy; harness only), median of " + PAIRS + " back-to-back pairs", floorPairs, Pair::throughput));
        md.append(medianRow("bare Netty relay CPU per request, µs, median of the same pairs", floorPairs,
                p -> p.a().cpuPerRequest() * 1e6));
        md.append(ratioRow("gateway / mod_auth_openidc throughput, " + sessions + " sessions each", GATEWAY, APACHE));
        md.append(medianRow("gateway with / without its audit trail throughput, 1 session, median of " + PAIRS
                + " back-to-back pairs (target >= 0.90)", auditPairs, Pair::throughput));
        md.append(medianRow("gateway CPU per request with / without its audit trail, median of the same pairs", auditPairs,
                Pair::cpu));
        md.append("| gateway p99 added over the bare app at saturation (ms; mostly queueing, see the steady-load line) |");
        for (int c : List.of(1, 32, 128)) {
            md.append(String.format(" %.2f |", find(GATEWAY, c).result().p99Ms() - find(UPSTREAM, c).result().p99Ms()));
        }
        md.append("\n\n");
        List<Double> cluster = clusterPairs.stream().map(Pair::throughput).sorted().toList();
        md.append(String.format("- clustered / single node throughput, %d sessions, 32 connections as two wrk of 16 (one per"
                        + " node; both on the single node), median of %d back-to-back pairs (target >= 0.90): %.2f"
                        + " (lowest - highest %.2f - %.2f); CPU per request clustered / single %.2f (%.1f µs over both"
                        + " nodes against %.1f µs)%n", sessions, PAIRS, cluster.get(PAIRS / 2), cluster.get(0),
                cluster.get(PAIRS - 1), median(clusterPairs, Pair::cpu), median(clusterPairs, p -> p.a().cpuPerRequest()) * 1e6,
                median(clusterPairs, p -> p.b().cpuPerRequest()) * 1e6));
        extra.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        Files.writeString(dir.resolve("results.md"), md);
        Files.writeString(dir.resolve("results.csv"), csv);
        System.out.println(md);
    }

    private static String pairRows(String label, Map<Integer, List<Pair>> pairs, java.util.function.ToDoubleFunction<Pair> ratio) {
        StringBuilder rows = new StringBuilder(medianRow(label, pairs, ratio)).append("| the same pairs, lowest - highest |");
        pairs.values().forEach(list -> {
            double[] sorted = list.stream().mapToDouble(ratio).sorted().toArray();
            rows.append(String.format(" %.2f - %.2f |", sorted[0], sorted[sorted.length - 1]));
        });
        return rows.append('\n').toString();
    }

    private static String medianRow(String label, Map<Integer, List<Pair>> pairs, java.util.function.ToDoubleFunction<Pair> value) {
        StringBuilder row = new StringBuilder("| " + label + " |");
        pairs.values().forEach(list -> row.append(String.format(" %.2f |", median(list, value))));
        return row.append('\n').toString();
    }

    private static double median(List<Pair> pairs, java.util.function.ToDoubleFunction<Pair> value) {
        return pairs.stream().mapToDouble(value).sorted().toArray()[pairs.size() / 2];
    }

    private String ratioRow(String label, String a, String b) {
        StringBuilder row = new StringBuilder("| " + label + " |");
        for (int c : List.of(1, 32, 128)) {
            row.append(String.format(" %.2f |", find(a, c).result().requestsPerSecond() / find(b, c).result().requestsPerSecond()));
        }
        return row.append('\n').toString();
    }

    private Row find(String peer, int connections) {
        return rows.stream().filter(r -> r.peer().equals(peer) && r.connections() == connections).findFirst().orElseThrow();
    }

    private Process nginx(String name, String conf) throws Exception {
        Path file = dir.resolve(name + ".conf");
        Files.writeString(file, conf);
        return track(Peers.start(List.of("/usr/sbin/nginx", "-p", dir.toString(), "-c", file.toString()),
                dir.resolve(name + ".log"), Map.of()));
    }

    private Process track(Process process) {
        processes.add(process);
        return process;
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private static final java.util.Base64.Encoder BASE64URL = java.util.Base64.getUrlEncoder().withoutPadding();

    /** A distinct JWT as long as a Keycloak 26 refresh token (HS512, measured: see README): header, claims, signature. */
    private static String refreshTokenLike() {
        String header = BASE64URL.encodeToString("{\"alg\":\"HS512\",\"typ\":\"JWT\",\"kid\":\"4f1c\"}".getBytes());
        byte[] signature = new byte[64];
        RANDOM.nextBytes(signature);
        String signed = BASE64URL.encodeToString(signature);
        byte[] claims = new byte[(REFRESH_TOKEN_LENGTH - header.length() - signed.length() - 2) * 3 / 4];
        RANDOM.nextBytes(claims);
        return header + "." + BASE64URL.encodeToString(claims) + "." + signed;
    }

    /** The gateway's cookie and correlation ids: 32 random bytes, base64url. */
    private static String randomId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes);
    }

    /** A string as parsing a token makes it: a new instance, not the shared literal. */
    private static String parsed(String value) {
        return new String(value.toCharArray());
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("benchmark: " + message);
        }
    }
}
