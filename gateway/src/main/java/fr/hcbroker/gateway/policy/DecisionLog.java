package fr.hcbroker.gateway.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Structured log of the decisions worth reading: everything but plain allows (those are counted in
 * the metrics). One JSON object per line; no tokens, cookies or query strings ever reach it.
 */
public final class DecisionLog implements DecisionListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void decided(Decision decision, String routeId, String method, String path, String user, int status) {
        if (decision.outcome() == Outcome.ALLOW && status == 0) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", Instant.now().toString());
        line.put("source", "gateway");
        line.put("outcome", decision.outcome().name().toLowerCase(Locale.ROOT));
        line.put("reason", decision.reason());
        line.put("route", routeId);
        line.put("method", method);
        line.put("path", path);
        line.put("user", user);
        line.put("status", status);
        try {
            System.out.println(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }
}
