package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.Browser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The alert rules and the dashboard (monitoring/) watch metrics the real gateway and Keycloak expose under those names:
 * a renamed meter would leave an alert silent forever, which promtool cannot see.
 */
@ExtendWith(StackExtension.class)
@DisplayName("Monitoring")
class MonitoringIT {

    /** Names in the rules' expressions; up and probe_* come from Prometheus and the blackbox exporter. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:hc|keycloak|process)_[a-z_]+)\\b");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    @DisplayName("every metric an alert rule or a dashboard panel names is exposed by the gateway or Keycloak, a failed login counted")
    void everyMetricTheAlertsWatchIsExposed(Stack stack) throws Exception {
        Browser browser = new Browser();
        Browser.Page form = browser.get(stack.gatewayUrl() + "/echo");
        browser.submit(form, form.form("kc-form-login"),
                Map.of("username", "nobody-" + UUID.randomUUID(), "password", "Wrong-" + UUID.randomUUID()), u -> false);

        String gateway = scrape(stack.gatewayUrl() + "/metrics");
        String keycloak = scrape("http://127.0.0.1:" + stack.keycloak().options().managementPort() + "/metrics");

        Set<String> named = new TreeSet<>();
        Path monitoring = Path.of(System.getProperty("hc.monitoring"));
        for (Path file : new Path[] {monitoring.resolve("prometheus/hc-broker-alerts.yml"),
                monitoring.resolve("grafana/hc-broker-dashboard.json")}) {
            Matcher m = METRIC.matcher(Files.readString(file));
            while (m.find()) {
                named.add(m.group(1));
            }
        }
        assertThat(named).contains("hc_gateway_ready", "hc_audit_records_refused_total", "keycloak_user_events_total",
                "process_files_open_files", "hc_gateway_upstream_seconds_count");
        for (String name : named) {
            if (name.startsWith("hc_") || name.startsWith("process_")) {
                assertThat(exposes(gateway, name)).as("gateway exposes %s", name).isTrue();
            }
            if (name.startsWith("keycloak_") || name.startsWith("process_")) {
                assertThat(exposes(keycloak, name)).as("Keycloak exposes %s", name).isTrue();
            }
        }
        assertThat(gateway).containsPattern("(?m)^hc_gateway_ready(\\{[^}]*})? 1(\\.0)?$");
        assertThat(keycloak).containsPattern("(?m)^keycloak_user_events_total\\{[^}]*error=\"[a-z_]+\"[^}]*event=\"login\"[^}]*realm=\"hospiconnect\"");
    }

    private static boolean exposes(String scrape, String name) {
        return Pattern.compile("(?m)^" + name + "(\\{| )").matcher(scrape).find();
    }

    private String scrape(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }
}
