package fr.hcbroker.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SHA-256 hash chain: {@code hash = SHA-256(prev || canonical bytes)}, where the canonical bytes
 * are the record's JSON in its fixed field order without {@code prev}/{@code hash}. Used by the
 * writer to seal lines and by the verifier to check them.
 */
public final class AuditChain {

    public static final String GENESIS = "0".repeat(64);
    static final ObjectMapper JSON = new ObjectMapper();

    private AuditChain() {
    }

    static byte[] canonical(AuditRecord record) {
        try {
            return JSON.writeValueAsBytes(record.fields());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a record of strings always serializes", e);
        }
    }

    static String hash(String prev, AuditRecord record) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prev.getBytes(StandardCharsets.US_ASCII));
            sha.update(canonical(record));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    /** The line written to the file: the record, then its {@code prev} and {@code hash}. */
    static String line(AuditRecord record, String prev, String hash) {
        Map<String, Object> map = new LinkedHashMap<>(record.fields());
        map.put("prev", prev);
        map.put("hash", hash);
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a line back into its record (the prev/hash it claims are read separately). */
    static AuditRecord parse(JsonNode node) {
        List<String> amr = new ArrayList<>();
        node.path("amr").forEach(a -> amr.add(a.asText()));
        Map<String, String> details = new LinkedHashMap<>();
        node.path("details").fields().forEachRemaining(e -> details.put(e.getKey(), e.getValue().asText()));
        return new AuditRecord(text(node, "ts"), text(node, "source"), text(node, "event"), text(node, "outcome"),
                text(node, "reason"), text(node, "user"), text(node, "idnat"), text(node, "loa"), amr,
                text(node, "session"), text(node, "route"), text(node, "method"), text(node, "path"),
                node.hasNonNull("status") ? node.get("status").asInt() : null, text(node, "client_ip"),
                text(node, "request_id"), details);
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
