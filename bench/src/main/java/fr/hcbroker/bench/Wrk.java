package fr.hcbroker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs wrk against one URL and reads its summary. */
final class Wrk {

    record Result(double requestsPerSecond, double p50Ms, double p99Ms, long non2xx) {
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");

    private Wrk() {
    }

    static Result run(String url, int connections, int seconds, String cookie) throws IOException, InterruptedException {
        return run(url, connections, seconds, cookie, 0);
    }

    /**
     * With {@code pauseMs} > 0, each connection waits that long after each response before its next
     * request (wrk's {@code delay()} hook): a steady rate below saturation, where latency is the
     * proxy's own rather than queueing. wrk does not count the pause in the latency.
     */
    static Result run(String url, int connections, int seconds, String cookie, int pauseMs)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + Math.min(2, connections), "-c" + connections,
                "-d" + seconds + "s", "--latency"));
        if (pauseMs > 0) {
            Path script = Files.createTempFile("wrk-pause", ".lua");
            script.toFile().deleteOnExit();
            Files.writeString(script, "function delay()\n  return " + pauseMs + "\nend\n");
            command.add("-s");
            command.add(script.toString());
        }
        if (cookie != null && !cookie.isEmpty()) {
            command.add("-H");
            command.add("Cookie: " + cookie);
        }
        command.add(url);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("wrk failed on " + url + ":\n" + out);
        }
        Matcher rps = RPS.matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("no Requests/sec in wrk output for " + url + ":\n" + out);
        }
        Matcher non2xx = NON2XX.matcher(out);
        return new Result(Double.parseDouble(rps.group(1)), percentile(out, "50%"), percentile(out, "99%"),
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0);
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
