package fr.hcbroker.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

    /**
     * A record's fields, as the chain covers them: an {@link AuditRecord} being written (cleaned), or a
     * line read back as it stands ({@link Written}).
     */
    interface Fields {
        String ts();
        String source();
        String event();
        String outcome();
        String reason();
        String user();
        String idnat();
        String loa();
        List<String> amr();
        String session();
        String route();
        String method();
        String path();
        Integer status();
        String clientIp();
        String requestId();
        Map<String, String> details();
    }

    /**
     * A record read back as the line holds it, not cleaned again: a line written under an earlier
     * version's cleaning rules is checked against what was sealed, not against today's rules. What the
     * verifier hands to its reader (the compliance report) for each record it found sealed and linked.
     */
    public record Written(String ts, String source, String event, String outcome, String reason, String user, String idnat,
                   String loa, List<String> amr, String session, String route, String method, String path,
                   Integer status, String clientIp, String requestId, Map<String, String> details) implements Fields {
    }

    /** The record's JSON in its fixed field order (details sorted by key): the bytes the hash covers. */
    static byte[] canonical(Fields r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            writeCanonical(g, r);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /** The field names, encoded once: a name given as a String is scanned for escapes on every record. */
    private static final SerializedString TS = new SerializedString("ts");
    private static final SerializedString SOURCE = new SerializedString("source");
    private static final SerializedString EVENT = new SerializedString("event");
    private static final SerializedString OUTCOME = new SerializedString("outcome");
    private static final SerializedString REASON = new SerializedString("reason");
    private static final SerializedString USER = new SerializedString("user");
    private static final SerializedString IDNAT = new SerializedString("idnat");
    private static final SerializedString LOA = new SerializedString("loa");
    private static final SerializedString AMR = new SerializedString("amr");
    private static final SerializedString SESSION = new SerializedString("session");
    private static final SerializedString ROUTE = new SerializedString("route");
    private static final SerializedString METHOD = new SerializedString("method");
    private static final SerializedString PATH = new SerializedString("path");
    private static final SerializedString STATUS = new SerializedString("status");
    private static final SerializedString CLIENT_IP = new SerializedString("client_ip");
    private static final SerializedString REQUEST_ID = new SerializedString("request_id");
    private static final SerializedString DETAILS = new SerializedString("details");

    /** A string field; null is written as JSON null, as {@code writeStringField} does. */
    private static void field(JsonGenerator g, SerializedString name, String value) throws IOException {
        g.writeFieldName(name);
        g.writeString(value);
    }

    /** The JSON of the fields that take few distinct values, as {@code writeString} made it once. */
    private static final RepeatedValues<SerializableString> WRITTEN = new RepeatedValues<>(AuditChain::asWritten);

    /**
     * A field of few distinct values (a source, an event, a reason, a route): its value's bytes copied
     * from the first time {@code writeString} wrote it, so they are the same bytes, without escaping the
     * same text again for every record.
     */
    private static void repeated(JsonGenerator g, SerializedString name, String value) throws IOException {
        g.writeFieldName(name);
        SerializableString written = value == null ? null : WRITTEN.get(value);
        if (written == null) {
            g.writeString(value);
        } else {
            g.writeRawValue(written);
        }
    }

    /**
     * The bytes {@code writeString} writes for {@code value}, or null if they cannot be kept as a string
     * that gives them back exactly (or writing fails): such a value is then written as it comes.
     */
    private static SerializableString asWritten(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length() + 8);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeString(value);
        } catch (IOException notWritable) {
            return null;
        }
        byte[] bytes = out.toByteArray();
        SerializedString written = new SerializedString(new String(bytes, StandardCharsets.UTF_8));
        return Arrays.equals(written.asUnquotedUTF8(), bytes) ? written : null;
    }

    /**
     * Writes the canonical form field by field with Jackson's generator rather than through a map, as
     * it runs for every request. The writer and the verifier both come here, so their bytes agree.
     */
    static void writeCanonical(JsonGenerator g, Fields r) throws IOException {
        g.writeStartObject();
        field(g, TS, r.ts());
        repeated(g, SOURCE, r.source());
        repeated(g, EVENT, r.event());
        repeated(g, OUTCOME, r.outcome());
        repeated(g, REASON, r.reason());
        field(g, USER, r.user());
        field(g, IDNAT, r.idnat());
        repeated(g, LOA, r.loa());
        g.writeFieldName(AMR);
        g.writeStartArray();
        for (String value : r.amr()) {
            g.writeString(value);
        }
        g.writeEndArray();
        field(g, SESSION, r.session());
        repeated(g, ROUTE, r.route());
        repeated(g, METHOD, r.method());
        field(g, PATH, r.path());
        g.writeFieldName(STATUS);
        if (r.status() == null) {
            g.writeNull();
        } else {
            g.writeNumber(r.status());
        }
        field(g, CLIENT_IP, r.clientIp());
        field(g, REQUEST_ID, r.requestId());
        g.writeFieldName(DETAILS);
        g.writeStartObject();
        if (!r.details().isEmpty()) {
            for (Map.Entry<String, String> detail : new TreeMap<>(r.details()).entrySet()) {
                g.writeStringField(detail.getKey(), detail.getValue());
            }
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    static String hash(String prev, Fields record) {
        return hash(prev, canonical(record));
    }

    /** One digest per thread: looking SHA-256 up in the providers costs more than hashing a record. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    });

    static String hash(String prev, byte[] canonical) {
        return hash(prev, canonical, 0, canonical.length);
    }

    static String hash(String prev, byte[] bytes, int offset, int length) {
        MessageDigest sha = SHA256.get();
        sha.reset();
        sha.update(prev.getBytes(StandardCharsets.US_ASCII));
        sha.update(bytes, offset, length);
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The line written to the file: the record, then its {@code prev} and {@code hash}. It is the
     * canonical JSON with the two fields appended (both are hex: nothing to escape), so the writer
     * serializes each record once.
     */
    static String line(Fields record, String prev, String hash) {
        return line(canonical(record), prev, hash);
    }

    static String line(byte[] canonical, String prev, String hash) {
        String json = new String(canonical, StandardCharsets.UTF_8);
        return json.substring(0, json.length() - 1) + ",\"prev\":\"" + prev + "\",\"hash\":\"" + hash + "\"}";
    }

    /** Reads a line back into its fields as they stand (the prev/hash it claims are read separately). */
    static Written written(JsonNode node) {
        List<String> amr = new ArrayList<>();
        node.path("amr").forEach(a -> amr.add(a.asText()));
        Map<String, String> details = new LinkedHashMap<>();
        node.path("details").fields().forEachRemaining(e -> details.put(e.getKey(), e.getValue().asText()));
        return new Written(text(node, "ts"), text(node, "source"), text(node, "event"), text(node, "outcome"),
                text(node, "reason"), text(node, "user"), text(node, "idnat"), text(node, "loa"), amr,
                text(node, "session"), text(node, "route"), text(node, "method"), text(node, "path"),
                node.hasNonNull("status") ? node.get("status").asInt() : null, text(node, "client_ip"),
                text(node, "request_id"), details);
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
