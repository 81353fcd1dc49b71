package fr.hcbroker.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The gateway's decision log on stdout")
class DecisionLogTest {

    @Test
    @DisplayName("an app's failure is logged (its 502/504 or its own 5xx); a plain allow is not")
    void anAppsFailureIsLoggedAPlainAllowIsNot() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            new DecisionLog().decided(new DecisionEvent(new Decision(Outcome.ALLOW, "policy satisfied"), "app", "GET", "/ok",
                    null, 200, "127.0.0.1", "gw.1", null, 1_000));
            new DecisionLog().decided(new DecisionEvent(new Decision(Outcome.ALLOW, "upstream error 504"), "app", "GET",
                    "/slow", null, 504, "127.0.0.1", "gw.2", null, 30_000_000_000L));
        } finally {
            System.setOut(original);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("upstream error 504", "\"status\":504").doesNotContain("/ok");
    }

    @Test
    @DisplayName("a token in a denied request's path or reason is redacted, as in the audit trail")
    void secretsInPathsAndReasonsAreRedacted() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkci5tYXJ0aW4ifQ.c2lnbmF0dXJl";
        DecisionEvent denied = new DecisionEvent(new Decision(Outcome.DENY, "refused (access_token=opensesame)"), "app",
                "GET", "/reset-password/" + jwt, null, 403, "127.0.0.1", null);
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            new DecisionLog().decided(denied);
        } finally {
            System.setOut(original);
        }
        String line = out.toString(StandardCharsets.UTF_8);
        assertThat(line).contains("\"outcome\":\"deny\"", "/reset-password/", "[redacted]")
                .doesNotContain(jwt, "opensesame");
    }
}
