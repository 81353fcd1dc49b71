package fr.hcbroker.gateway.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Structured log of the decisions worth reading: everything but requests handed to the app (those
 * are counted in the metrics and written to the audit trail). One JSON object per line on stdout;
 * no tokens, cookies or query strings ever reach it.
 */
public final class DecisionLog implements DecisionListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Future<Void> decided(DecisionEvent event) {
        if (!event.urgent()) {
            return Future.succeededFuture();
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", Instant.now().toString());
        line.put("source", "gateway");
        line.put("outcome", event.decision().outcome().name().toLowerCase(Locale.ROOT));
        line.put("reason", event.decision().reason());
        line.put("route", event.route());
        line.put("method", event.method());
        line.put("path", event.path());
        line.put("user", event.session() == null ? null : event.session().username());
        line.put("status", event.status());
        try {
            System.out.println(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
        return Future.succeededFuture();
    }
}
