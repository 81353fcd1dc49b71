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
 * One benchmark run: the upstream app alone, nginx, Apache + mod_auth_openidc and the gateway in front
 * of it, each logged in as a real user of the same Keycloak, under wrk at 1, 32 and 128 connections;
 * then session memory and Keycloak logins. Results: target/bench/results.md and results.csv.
 * Every peer must be measured: one that cannot be is an error, not a missing row.
 */
public final class BenchMain {

    static final int REFRESH_TOKEN_LENGTH = 700;

    private static final String WITHOUT_AUDIT = "hc-broker gateway, audit trail off (harness only)";

    private record Row(String peer, int connections, Wrk.Result result, double cpuCores, double rssMiB) {
    }

    private final int seconds;
    private final Path dir = Path.of("target/bench").toAbsolutePath();
    private final List<Process> processes = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, String> extra = new LinkedHashMap<>();
    /** Per connection count, the sorted gateway/nginx throughput ratios of back-to-back pairs. */
    private final Map<Integer, List<Double>> nginxRatios = new LinkedHashMap<>();
    /** Per connection count, the sorted with/without-audit ratios of back-to-back pairs: throughput, CPU per request. */
    private final Map<Integer, List<Double>> auditRatios = new LinkedHashMap<>();
    private final Map<Integer, List<Double>> auditCpuRatios = new LinkedHashMap<>();
    private static final int PAIRS = 5;

    private record Measured(double requestsPerSecond, double cpuPerRequest) {
    }

    private BenchMain(int seconds) {
        this.seconds = seconds;
    }

    /**
     * The trail's own CPU per record (see {@link AuditCost}), next to the gateway's CPU per request at
     * 32 connections from this run: the part of the gateway's work that the trail is.
     */
    private void auditCost() throws Exception {
        Row gateway = find("hc-broker gateway", 32);
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

    public static void main(String[] args) throws Exception {
        new BenchMain(args.length > 0 ? Integer.parseInt(args[0]) : 8).run();
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

        DemoProfessional doctor = DemoProfessional.ALL.get(0);
        DemoProfessional pharmacist = DemoProfessional.ALL.get(2);
        String gatewayCookie = login(stack.gatewayUrl() + "/", doctor);
        String apacheCookie = login("http://127.0.0.1:" + apachePort + "/", pharmacist);

        // Warm-up, not recorded: the JVM gateway's JIT compiles its hot paths in the first seconds (its
        // compiler threads still take a tenth of a core 15 s in: see gatewayWarmUp).
        Wrk.run("http://127.0.0.1:" + upstreamPort + "/", 32, seconds, null);
        Wrk.run("http://127.0.0.1:" + nginxPort + "/", 32, seconds, null);
        Wrk.run("http://127.0.0.1:" + apachePort + "/", 32, seconds, apacheCookie);
        gatewayWarmUp(stack.gatewayUrl() + "/", gatewayCookie);

        // The same gateway without its audit trail (a harness-only entry point: no configuration turns
        // the trail off), beside it on its own port and audit directory: what the trail costs.
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
        // The same person as on the audited gateway: the same headers and record, only the trail differs.
        String unauditedCookie = login(unauditedUrl + "/", doctor);
        gatewayWarmUp(unauditedUrl + "/", unauditedCookie);

        for (int connections : List.of(1, 32, 128)) {
            load("upstream app (no proxy)", "http://127.0.0.1:" + upstreamPort + "/", connections, null, upstream);
            load("nginx reverse proxy", "http://127.0.0.1:" + nginxPort + "/", connections, null, nginx);
            load("Apache mod_auth_openidc", "http://127.0.0.1:" + apachePort + "/", connections, apacheCookie, apache);
            load("hc-broker gateway", stack.gatewayUrl() + "/", connections, gatewayCookie, gateway);
            load(WITHOUT_AUDIT, unauditedUrl + "/", connections, unauditedCookie, unaudited);
        }
        // Back-to-back pairs per point, alternating which goes first: on this shared 2-core machine one
        // point moves by up to 20 %, so the ratios the targets name are medians of pairs. CPU per request
        // (the process's CPU over its requests) is the steadier measure; throughput is what the targets name.
        for (int connections : List.of(1, 32, 128)) {
            List<Measured> ratios = pairs(connections, stack.gatewayUrl() + "/", gatewayCookie, gateway,
                    "http://127.0.0.1:" + nginxPort + "/", null, nginx);
            nginxRatios.put(connections, ratios.stream().map(Measured::requestsPerSecond).sorted().toList());
        }
        for (int connections : List.of(1, 32, 128)) {
            List<Measured> ratios = pairs(connections, stack.gatewayUrl() + "/", gatewayCookie, gateway,
                    unauditedUrl + "/", unauditedCookie, unaudited);
            auditRatios.put(connections, ratios.stream().map(Measured::requestsPerSecond).sorted().toList());
            auditCpuRatios.put(connections, ratios.stream().map(Measured::cpuPerRequest).sorted().toList());
        }
        pacedLatency(upstreamPort, nginxPort, stack.gatewayUrl(), gatewayCookie);
        auditCost();
        clusterScaling(stack, admin, gatewayCommand, upstreamPort);
        sessionMemory();
        logins(stack, admin);
    }

    /**
     * Added latency where it is the proxy's own: 32 connections each pausing 4 ms between requests
     * (some 7 000 req/s, far below every peer's saturation), three interleaved runs per peer, medians.
     * At saturation (the table) p99 is mostly queueing behind wrk and the app on the same two cores.
     */
    private void pacedLatency(int upstreamPort, int nginxPort, String gatewayUrl, String gatewayCookie) throws Exception {
        Map<String, List<Wrk.Result>> runs = new LinkedHashMap<>();
        for (int round = 0; round < 3; round++) {
            runs.computeIfAbsent("app", k -> new ArrayList<>())
                    .add(Wrk.run("http://127.0.0.1:" + upstreamPort + "/", 32, seconds, null, PAUSE_MS));
            runs.computeIfAbsent("nginx", k -> new ArrayList<>())
                    .add(Wrk.run("http://127.0.0.1:" + nginxPort + "/", 32, seconds, null, PAUSE_MS));
            runs.computeIfAbsent("gateway", k -> new ArrayList<>())
                    .add(Wrk.run(gatewayUrl + "/", 32, seconds, gatewayCookie, PAUSE_MS));
        }
        Map<String, double[]> median = new LinkedHashMap<>();
        runs.forEach((peer, results) -> {
            require(results.stream().allMatch(r -> r.non2xx() == 0), peer + " refused paced requests");
            double[] p50 = results.stream().mapToDouble(Wrk.Result::p50Ms).sorted().toArray();
            double[] p99 = results.stream().mapToDouble(Wrk.Result::p99Ms).sorted().toArray();
            double[] rate = results.stream().mapToDouble(Wrk.Result::requestsPerSecond).sorted().toArray();
            median.put(peer, new double[]{p50[1], p99[1], rate[1]});
        });
        double[] app = median.get("app");
        extra.put("steady load, 32 connections each pausing " + PAUSE_MS + " ms (median of 3; p50 / p99)",
                String.format("app alone %.0f req/s, %.3f / %.3f ms; nginx %.3f / %.3f ms; gateway %.3f / %.3f ms",
                        app[2], app[0], app[1], median.get("nginx")[0], median.get("nginx")[1],
                        median.get("gateway")[0], median.get("gateway")[1]));
        extra.put("p99 added over the bare app at that steady load (target < 2 ms)", String.format(
                "gateway %.3f ms, nginx %.3f ms", median.get("gateway")[1] - app[1], median.get("nginx")[1] - app[1]));
    }

    private static final int PAUSE_MS = 4;

    /**
     * Two gateway nodes sharing sessions: one session logged in on the first, loaded on the first
     * alone, then on both at once (half the connections each). On this 2-core machine both nodes,
     * wrk and the upstream share the same cores: the figure shows the cluster's overhead, not the
     * gain of a second server.
     */
    private void clusterScaling(Stack stack, AdminApi admin, List<String> gatewayCommand, int upstreamPort)
            throws Exception {
        int[] ports = {freePort(), freePort()};
        int[] jgroups = {ClusterSessionReads.clusterPort().getPort(), ClusterSessionReads.clusterPort().getPort()};
        String members = "127.0.0.1:" + jgroups[0] + ", 127.0.0.1:" + jgroups[1];
        String[] urls = new String[2];
        String clusterSecret = UUID.randomUUID() + "-" + UUID.randomUUID();
        for (int i = 0; i < 2; i++) {
            urls[i] = "http://127.0.0.1:" + ports[i];
            allowRedirect(admin, urls[i] + "/*");
            Path nodeDir = dir.resolve("cluster-node-" + (i + 1));
            Files.createDirectories(nodeDir);
            Files.writeString(nodeDir.resolve("gateway.yaml"), Peers.gateway(nodeDir, ports[i], urls[i], upstreamPort,
                    stack.keycloakUrl()) + Peers.cluster(jgroups[i], members));
            List<String> command = new ArrayList<>(gatewayCommand);
            command.set(command.size() - 1, nodeDir.resolve("gateway.yaml").toString());
            Process node = track(Peers.start(command, nodeDir.resolve("gateway.log"),
                    Map.of("HC_GATEWAY_CLIENT_SECRET", stack.gatewayClientSecret(),
                            "HC_GATEWAY_CLUSTER_SECRET", clusterSecret)));
            Peers.awaitHttp("cluster node " + (i + 1), urls[i] + "/healthz", node, nodeDir.resolve("gateway.log"));
        }
        // A user of its own: the demo professionals' TOTP codes of this half-minute are already spent.
        String name = "bench-cluster-" + UUID.randomUUID().toString().substring(0, 6);
        String totp = "totp-" + UUID.randomUUID();
        admin.createUser(name, "Pw-" + name, totp);
        String cookie = login(urls[0] + "/", name, "Pw-" + name, totp);
        for (String url : urls) {
            Wrk.Result warm = Wrk.run(url + "/", 32, seconds, cookie);
            require(warm.non2xx() == 0, "the session made on node 1 is not served by " + url);
        }
        Wrk.Result one = Wrk.run(urls[0] + "/", 32, seconds, cookie);
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> wrk(urls[0] + "/", 16, cookie));
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> wrk(urls[1] + "/", 16, cookie));
        Wrk.Result a = first.join();
        Wrk.Result b = second.join();
        require(one.non2xx() + a.non2xx() + b.non2xx() == 0, "a cluster node refused the shared session");
        double both = a.requestsPerSecond() + b.requestsPerSecond();
        extra.put("gateway cluster, 32 connections, 1 node loaded", String.format("%.0f req/s, p99 %.2f ms",
                one.requestsPerSecond(), one.p99Ms()));
        extra.put("gateway cluster, 32 connections, 2 nodes loaded (16 each)", String.format(
                "%.0f req/s, p99 %.2f / %.2f ms; 2 nodes / 1 node: %.2f (one 2-core machine for both nodes, wrk and the app)",
                both, a.p99Ms(), b.p99Ms(), both / one.requestsPerSecond()));
        extra.put("session read latency", ClusterSessionReads.measure());
    }

    private Wrk.Result wrk(String url, int connections, String cookie) {
        try {
            return Wrk.run(url, connections, seconds, cookie);
        } catch (Exception e) {
            throw new IllegalStateException("benchmark: wrk against " + url + " failed: " + e.getMessage(), e);
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

    private String login(String url, DemoProfessional person) {
        return login(url, person.username(), person.password(), person.totpSecret());
    }

    private String login(String url, String username, String password, String totpSecret) {
        Browser browser = new Browser();
        Browser.Page form = browser.get(url);
        require(form.body().contains("kc-form-login"), "no Keycloak login page behind " + url + ": " + form.status()
                + " at " + form.uri());
        Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", username, "password", password), u -> false);
        Browser.Page landed = browser.submit(otp, otp.form("kc-otp-login-form"),
                Map.of("otp", Totp.now(totpSecret)), u -> false);
        require(landed.status() == 200 && landed.body().contains("hello from the upstream app"),
                "login through " + url + " did not reach the app: " + landed.status() + " " + landed.uri());
        return browser.cookieHeader(url);
    }

    private void load(String peer, String url, int connections, String cookie, Process process) throws Exception {
        ProcessHandle handle = process.toHandle();
        double cpuBefore = ProcessTree.cpuSeconds(handle);
        Wrk.Result result = Wrk.run(url, connections, seconds, cookie);
        double cores = (ProcessTree.cpuSeconds(handle) - cpuBefore) / seconds;
        require(result.non2xx() == 0, peer + " answered " + result.non2xx() + " non-2xx responses: not a valid session?");
        rows.add(new Row(peer, connections, result, cores, ProcessTree.rssMiB(handle)));
        System.out.printf("%-26s c=%-3d %9.0f req/s p50 %.2f ms p99 %.2f ms%n", peer, connections,
                result.requestsPerSecond(), result.p50Ms(), result.p99Ms());
    }

    /** 30 s at 1 and 32 connections: until then the JIT is still compiling, on the cores being measured. */
    private static void gatewayWarmUp(String url, String cookie) throws Exception {
        Wrk.run(url, 1, 10, cookie);
        Wrk.run(url, 32, 20, cookie);
    }

    /** Throughput and CPU-per-request ratios of {@code a} to {@code b} over {@link #PAIRS} back-to-back runs, alternating which goes first. */
    private List<Measured> pairs(int connections, String urlA, String cookieA, Process a, String urlB, String cookieB,
                                 Process b) throws Exception {
        List<Measured> ratios = new ArrayList<>();
        for (int pair = 0; pair < PAIRS; pair++) {
            Measured first = pair % 2 == 0 ? measured(urlA, connections, cookieA, a) : measured(urlB, connections, cookieB, b);
            Measured second = pair % 2 == 0 ? measured(urlB, connections, cookieB, b) : measured(urlA, connections, cookieA, a);
            Measured ofA = pair % 2 == 0 ? first : second;
            Measured ofB = pair % 2 == 0 ? second : first;
            ratios.add(new Measured(ofA.requestsPerSecond() / ofB.requestsPerSecond(), ofA.cpuPerRequest() / ofB.cpuPerRequest()));
        }
        return ratios;
    }

    private Measured measured(String url, int connections, String cookie, Process process) throws Exception {
        double cpuBefore = ProcessTree.cpuSeconds(process.toHandle());
        Wrk.Result result = Wrk.run(url, connections, seconds, cookie);
        double cpu = ProcessTree.cpuSeconds(process.toHandle()) - cpuBefore;
        require(result.non2xx() == 0, url + " answered " + result.non2xx() + " non-2xx responses");
        return new Measured(result.requestsPerSecond(), cpu / (result.requestsPerSecond() * seconds));
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
                for (; done < target; done++) {
                    String id = UUID.randomUUID().toString() + UUID.randomUUID();
                    store.put(id, new Session(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                            UUID.randomUUID().toString(), "user" + done, "8" + (99700000000L + done), "Hélène",
                            "Lefèvre-Dupré", "user" + done + "@hopital.example", List.of("60"), List.of("750712184"),
                            java.util.Set.of("default-roles-hospiconnect", "offline_access", "uma_authorization"),
                            Level.SUBSTANTIAL, List.of("pwd", "otp", "mfa"), Instant.now().getEpochSecond(),
                            refreshTokenLike(), Instant.now().getEpochSecond() + 240)).await();
                }
                long used = usedHeapAfterGc() - base;
                extra.put("heap for " + target + " live sessions", String.format("%.1f MiB (%.0f bytes per session)",
                        used / 1048576.0, (double) used / target));
            }
        } finally {
            store.close();
            vertx.close().await();
        }
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
                .append("- date: ").append(Instant.now()).append('\n')
                .append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(ManagementFactory.getOperatingSystemMXBean().getName()).append(' ')
                .append(ManagementFactory.getOperatingSystemMXBean().getArch()).append(", Java ")
                .append(System.getProperty("java.version")).append('\n')
                .append("- command: `bench/run.sh ").append(seconds).append("` (wrk, ").append(seconds)
                .append(" s per point, all on loopback; wrk shares the 2 cores with the proxies)\n\n")
                .append("| peer | connections | req/s | p50 ms | p99 ms | CPU cores | RSS MiB |\n|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format("| %s | %d | %.0f | %.2f | %.2f | %.2f | %.0f |%n", r.peer(), r.connections(),
                    r.result().requestsPerSecond(), r.result().p50Ms(), r.result().p99Ms(), r.cpuCores(), r.rssMiB()));
            csv.append(String.format("%s,%d,%.1f,%.3f,%.3f,%.3f,%.1f%n", r.peer(), r.connections(),
                    r.result().requestsPerSecond(), r.result().p50Ms(), r.result().p99Ms(), r.cpuCores(), r.rssMiB()));
        }
        md.append("\n| ratio | 1 | 32 | 128 |\n|---|---|---|---|\n");
        md.append(ratioRow("gateway / nginx throughput, the table's single runs", "hc-broker gateway", "nginx reverse proxy"));
        md.append("| gateway / nginx throughput, median of " + PAIRS + " back-to-back pairs (target >= 0.75) |");
        nginxRatios.values().forEach(r -> md.append(String.format(" %.2f |", r.get(PAIRS / 2))));
        md.append("\n| the same pairs, lowest - highest |");
        nginxRatios.values().forEach(r -> md.append(String.format(" %.2f - %.2f |", r.get(0), r.get(PAIRS - 1))));
        md.append('\n');
        md.append(ratioRow("gateway / mod_auth_openidc throughput", "hc-broker gateway", "Apache mod_auth_openidc"));
        md.append("| gateway with / without its audit trail throughput, median of " + PAIRS
                + " back-to-back pairs (target >= 0.90) |");
        auditRatios.values().forEach(r -> md.append(String.format(" %.2f |", r.get(PAIRS / 2))));
        md.append("\n| gateway CPU per request with / without its audit trail, median of the same pairs |");
        auditCpuRatios.values().forEach(r -> md.append(String.format(" %.2f |", r.get(PAIRS / 2))));
        md.append('\n');
        md.append("| gateway p99 added over the bare app at saturation (ms; mostly queueing, see the steady-load line) |");
        for (int c : List.of(1, 32, 128)) {
            md.append(String.format(" %.2f |", find("hc-broker gateway", c).result().p99Ms()
                    - find("upstream app (no proxy)", c).result().p99Ms()));
        }
        md.append("\n\n");
        extra.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        Files.writeString(dir.resolve("results.md"), md);
        Files.writeString(dir.resolve("results.csv"), csv);
        System.out.println(md);
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

    /** A distinct string as long as a Keycloak 26 refresh token (HS512 JWT, measured: see README). */
    private static String refreshTokenLike() {
        StringBuilder token = new StringBuilder(REFRESH_TOKEN_LENGTH);
        while (token.length() < REFRESH_TOKEN_LENGTH) {
            token.append(UUID.randomUUID());
        }
        return token.substring(0, REFRESH_TOKEN_LENGTH);
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
