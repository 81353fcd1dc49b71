package fr.hcbroker.bench;

import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The sessions of the load: real logins through Keycloak (password + TOTP) into a peer, a few at
 * once, each in a fresh browser; and the check that each of them still reaches the app as its user.
 */
final class SessionLogins {

    /** Logins at once: Keycloak, the peer and this harness share two cores. */
    static final int PARALLEL = 4;

    record User(String name, String password, String totpSecret) {
    }

    /** What a round of logins made and cost: the sessions, logins per second, CPU per login. */
    record Made(Wrk.Workload workload, double perSecond, double keycloakCpuMs, double peerCpuMs) {
    }

    /** Per user, the last TOTP period whose code was used: Keycloak refuses a code used before. */
    private static final Map<String, Long> LAST_PERIOD = new ConcurrentHashMap<>();

    private SessionLogins() {
    }

    /** Creates {@code n} users, each with a password and a TOTP secret of its own. */
    static List<User> create(AdminApi admin, int n) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<User> users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "load-" + run + "-" + i;
            users.add(new User(name, "Pw-" + name, "totp-" + UUID.randomUUID()));
        }
        inParallel(users, (i, u) -> {
            admin.createUser(u.name(), u.password(), u.totpSecret());
            return null;
        });
        return users;
    }

    /**
     * Logs every user in through the peer at {@code urls} (user i through {@code urls[i % size]}), writes
     * the sessions file of the load and measures the CPU Keycloak and the peer spent per login.
     */
    static Made login(List<String> urls, List<User> users, Path file, String identityField, ProcessHandle keycloak,
                      List<ProcessHandle> peer) throws Exception {
        double keycloakCpu = ProcessTree.cpuSeconds(keycloak);
        double peerCpu = peer.stream().mapToDouble(ProcessTree::cpuSeconds).sum();
        long start = System.nanoTime();
        List<String> lines = inParallel(users, (i, u) -> u.name() + "\t" + cookie(urls.get(i % urls.size()), u));
        double wall = (System.nanoTime() - start) / 1e9;
        Files.write(file, lines);
        int n = users.size();
        return new Made(new Wrk.Workload(file, identityField), n / wall,
                (ProcessTree.cpuSeconds(keycloak) - keycloakCpu) / n * 1000,
                (peer.stream().mapToDouble(ProcessTree::cpuSeconds).sum() - peerCpu) / n * 1000);
    }

    /** One login through {@code url} (password, then TOTP), ending at the app; the Cookie header of the session. */
    static String cookie(String url, User user) throws InterruptedException {
        Browser browser = new Browser();
        Browser.Page form = browser.get(url);
        require(form.body().contains("kc-form-login"), "no Keycloak login page behind " + url + ": " + form.status()
                + " at " + form.uri());
        Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", user.name(), "password", user.password()), u -> false);
        Browser.Page landed = browser.submit(otp, otp.form("kc-otp-login-form"),
                Map.of("otp", Totp.now(unusedPeriod(user))), u -> false);
        require(landed.status() == 200 && landed.body().contains("hello from the upstream app"),
                "the login of " + user.name() + " through " + url + " did not reach the app: " + landed.status() + " "
                        + landed.uri());
        return browser.cookieHeader(url);
    }

    /** The user's secret, once the current TOTP period is one whose code this user has not used yet. */
    private static String unusedPeriod(User user) throws InterruptedException {
        while (true) {
            long period = System.currentTimeMillis() / 30_000;
            Long last = LAST_PERIOD.get(user.name());
            if (last == null || last < period) {
                LAST_PERIOD.put(user.name(), period);
                return user.totpSecret();
            }
            Thread.sleep((period + 1) * 30_000 - System.currentTimeMillis() + 50);
        }
    }

    /**
     * Sends each session of the workload once to {@code url}: every one must reach the app as its
     * user. Names the first session that does not (lost, or answered for someone else).
     */
    static void requireAlive(String peer, String url, Wrk.Workload workload) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (String line : Files.readAllLines(workload.sessions())) {
            String[] session = line.split("\t", 2);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("X-Bench-Expect", session[0]);
            if (!session[1].isEmpty()) {
                request.header("Cookie", session[1]);
            }
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            boolean identified = "none".equals(workload.identityField())
                    || answer.body().contains("\n" + workload.identityField() + "=" + session[0] + "\n");
            require(answer.statusCode() == 200 && answer.body().contains("hello from the upstream app") && identified,
                    peer + " lost the session of " + session[0] + ": " + answer.statusCode()
                            + answer.headers().firstValue("location").map(l -> " to " + l).orElse("")
                            + (answer.statusCode() == 200 ? " without the identity" : ""));
        }
    }

    private interface Task<T> {
        T run(int index, User user) throws Exception;
    }

    private static <T> List<T> inParallel(List<User> users, Task<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<T>> done = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                int index = i;
                done.add(pool.submit(() -> task.run(index, users.get(index))));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : done) {
                try {
                    results.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("benchmark: " + message);
        }
    }
}
