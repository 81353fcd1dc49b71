package fr.hcbroker.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alert rules and the dashboard, checked by Debian's promtool (package prometheus). */
@DisplayName("Monitoring files, checked by promtool")
class PromtoolTest {

    private static final Path PROMETHEUS = Path.of("src/main/prometheus");
    private static final Path DASHBOARD = Path.of("src/main/grafana/hc-broker-dashboard.json");

    @BeforeAll
    static void installPromtool() throws Exception {
        Path script = Path.of("../scripts/ensure-packages.sh").toAbsolutePath().normalize();
        Process install = new ProcessBuilder(script.toString(), "prometheus").inheritIO().start();
        assertThat(install.waitFor()).as("scripts/ensure-packages.sh prometheus").isZero();
    }

    @Nested
    @DisplayName("the alert rules")
    class AlertRules {

        @Test
        @DisplayName("are valid rules, and the example scrape configuration that loads them is valid")
        void areValid() throws Exception {
            Result rules = promtool("check", "rules", PROMETHEUS.resolve("hc-broker-alerts.yml").toString());
            assertThat(rules.exit()).as(rules.output()).isZero();
            assertThat(rules.output()).contains("SUCCESS: 16 rules found");
            Result config = promtool("check", "config", PROMETHEUS.resolve("prometheus-example.yml").toString());
            assertThat(config.exit()).as(config.output()).isZero();
        }

        @Test
        @DisplayName("fire on the situation each names, with its text, and stay silent on healthy series")
        void passTheirUnitTests() throws Exception {
            Result test = promtool("test", "rules", "src/test/prometheus/hc-broker-alerts-test.yml");
            assertThat(test.exit()).as(test.output()).isZero();
            assertThat(test.output()).contains("SUCCESS");
        }
    }

    @Nested
    @DisplayName("the Grafana dashboard")
    class Dashboard {

        @Test
        @DisplayName("has queries promtool parses, every one of them")
        void queriesParse(@TempDir Path dir) throws Exception {
            List<String> queries = queries();
            assertThat(queries).hasSizeGreaterThanOrEqualTo(14);
            Result check = promtool("check", "rules", asRules(dir.resolve("dashboard-rules.yml"), queries).toString());
            assertThat(check.exit()).as(check.output()).isZero();
            assertThat(check.output()).contains("SUCCESS: " + queries.size() + " rules found");
        }

        @Test
        @DisplayName("the same check refuses a query that does not parse (so it can fail)")
        void aBrokenQueryIsRefused(@TempDir Path dir) throws Exception {
            Result check = promtool("check", "rules",
                    asRules(dir.resolve("broken.yml"), List.of("sum by (instance (rate(hc_gateway_decisions_total[5m]))")).toString());
            assertThat(check.exit()).isNotZero();
        }
    }

    /** Every panel's query, with Grafana's own variables given the values Grafana would give them. */
    private static List<String> queries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText()
                        .replace("$__rate_interval", "1m").replace("$__range", "6h");
                assertThat(expr).as("panel %s: a variable promtool cannot resolve", panel.path("title").asText())
                        .doesNotContain("$");
                queries.add(expr);
            }
        }
        return queries;
    }

    /** The queries as recording rules: promtool parses each expression as Prometheus would. */
    private static Path asRules(Path file, List<String> queries) throws IOException {
        ObjectMapper json = new ObjectMapper();
        StringBuilder yaml = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            // A JSON string is a valid YAML scalar: no quoting rules of our own.
            yaml.append("      - record: dashboard:query_").append(i).append('\n')
                    .append("        expr: ").append(json.writeValueAsString(queries.get(i))).append('\n');
        }
        return Files.writeString(file, yaml);
    }

    private record Result(int exit, String output) {
    }

    private static Result promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }
}
