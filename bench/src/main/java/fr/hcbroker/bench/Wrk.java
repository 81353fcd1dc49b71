package fr.hcbroker.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs wrk against one URL with the checking script ({@code checked.lua}): each request carries one
 * session of a {@link Workload} and every answer is checked. A run with any answer that is not the
 * app's 200 carrying the expected identity fails, naming the peer and what came back.
 */
final class Wrk {

    /**
     * The sessions a run spreads its requests over (a file of "username TAB cookie" lines) and the
     * field of the app's echo that must equal each request's username: {@code gateway} (X-HC-User),
     * {@code oidc} (mod_auth_openidc's OIDC_CLAIM_preferred_username) or {@code none} (no identity).
     */
    record Workload(Path sessions, String identityField) {
    }

    record Result(double requestsPerSecond, double p50Ms, double p99Ms, long requests) {
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern CHECKS = Pattern.compile(
            "bench checks: (\\d+) redirects, (\\d+) refusals, (\\d+) missing identity; first: (.*)");

    private static Path script;

    private Wrk() {
    }

    static Result run(String peer, String url, int connections, int seconds, Workload workload)
            throws IOException, InterruptedException {
        return run(peer, url, connections, seconds, workload, 0);
    }

    /**
     * With {@code pauseMs} > 0, each connection waits that long after each response before its next
     * request (wrk's {@code delay()} hook): a steady rate below saturation, where latency is the
     * proxy's own rather than queueing. wrk does not count the pause in the latency.
     */
    static Result run(String peer, String url, int connections, int seconds, Workload workload, int pauseMs)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + Math.min(2, connections), "-c" + connections,
                "-d" + seconds + "s", "--latency", "-s", script(pauseMs).toString(), url, "--",
                workload.sessions().toString(), workload.identityField()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("benchmark: wrk failed on " + peer + " (" + url + "):\n" + out);
        }
        Matcher rps = RPS.matcher(out);
        Matcher requests = REQUESTS.matcher(out);
        Matcher checks = CHECKS.matcher(out);
        if (!rps.find() || !requests.find() || !checks.find()) {
            throw new IllegalStateException("benchmark: " + peer + " could not be measured, wrk's output lacks its"
                    + " rate or the answers' checks (" + url + "):\n" + out);
        }
        long redirects = Long.parseLong(checks.group(1));
        long refusals = Long.parseLong(checks.group(2));
        long missing = Long.parseLong(checks.group(3));
        Matcher non2xx = NON2XX.matcher(out);
        long non2xxCount = non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;
        long count = Long.parseLong(requests.group(1));
        if (redirects + refusals + missing + non2xxCount > 0 || count == 0) {
            throw new IllegalStateException(String.format("benchmark: %s (%s, %d connections) gave %d redirects,"
                            + " %d refusals, %d answers without the expected identity (wrk: %d non-2xx) in %d answers;"
                            + " first: %s", peer, url, connections, redirects, refusals, missing, non2xxCount, count,
                    checks.group(4).isBlank() ? "(none kept)" : checks.group(4).strip()));
        }
        return new Result(Double.parseDouble(rps.group(1)), percentile(out, "50%"), percentile(out, "99%"), count);
    }

    /** The checking script, copied once out of the jar; with a pause, a copy that adds wrk's delay() hook. */
    private static synchronized Path script(int pauseMs) throws IOException {
        if (script == null) {
            script = Files.createTempFile("wrk-checked", ".lua");
            script.toFile().deleteOnExit();
            try (InputStream in = Wrk.class.getResourceAsStream("checked.lua")) {
                Files.write(script, in.readAllBytes());
            }
        }
        if (pauseMs == 0) {
            return script;
        }
        Path paused = Files.createTempFile("wrk-checked-pause", ".lua");
        paused.toFile().deleteOnExit();
        Files.writeString(paused, Files.readString(script) + "\nfunction delay()\n  return " + pauseMs + "\nend\n");
        return paused;
    }

    private static double percentile(String out, String label) {
        Matcher m = Pattern.compile("\\s" + Pattern.quote(label) + "\\s+([\\d.]+)(us|ms|s)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + label + " latency in wrk output:\n" + out);
        }
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }
}
