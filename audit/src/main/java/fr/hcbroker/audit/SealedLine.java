package fr.hcbroker.audit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The verifier's fast path: reads a line as the writer seals it, in one streaming pass over its bytes,
 * and checks its hash over those bytes. The writer writes {@code canonical JSON minus its closing brace}
 * {@code ,"prev":"<64 hex>","hash":"<64 hex>"}} and hashes {@code prev || canonical JSON}
 * ({@link SealedLines}), so a line in canonical form is checked without writing it again.
 *
 * <p>It accepts only lines it can prove canonical without writing them: the fields in their fixed
 * order with the types the writer gives them, details sorted, no whitespace between tokens, no
 * backslash anywhere and no character past U+FFFF (a string without escapes and without those is its
 * own UTF-8, which is what the generator writes),
 * a status written as the generator writes an int. Anything else (a reason with a quote, a hostile
 * line) is {@link #NOT_PLAIN}: the caller then checks it the slow, exact way (parse, write again,
 * compare). So what it accepts the slow way accepts too, and it rejects nothing by itself but a bad
 * hash. One instance per thread: it keeps its digest and buffers.
 */
final class SealedLine {

    /** {@code ,"prev":"} 64 hex {@code ","hash":"} 64 hex {@code "}}. */
    static final int SUFFIX = 9 + 64 + 10 + 64 + 2;
    private static final byte[] PREV = ",\"prev\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HASH = "\",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String[] NAMES = {"ts", "source", "event", "outcome", "reason", "user", "idnat", "loa",
            "amr", "session", "route", "method", "path", "status", "client_ip", "request_id", "details", "prev", "hash"};

    /** What {@link #check} concluded. */
    static final int SEALED = 0, ALTERED = 1, NOT_PLAIN = 2;

    private final MessageDigest sha;
    private final byte[] computed = new byte[64];
    private final String[] text = new String[16];

    /** The record of the last line found {@link #SEALED}. */
    AuditChain.Written record;

    SealedLine() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    /** Offset of the line's {@code prev} hex in {@code line[0..length)}; its hash is 74 bytes further. */
    static int prevAt(int length) {
        return length - SUFFIX + PREV.length;
    }

    static int hashAt(int length) {
        return prevAt(length) + 64 + HASH.length;
    }

    /** {@link #SEALED} (and {@link #record} set), {@link #ALTERED} (a hash that does not match) or {@link #NOT_PLAIN}. */
    int check(byte[] line, int length) {
        // Starting with its brace: the parser would skip a byte order mark the exact path refuses.
        if (length < SUFFIX + 2 || line[0] != '{' || !plainSuffix(line, length) || !plainTokens(line, length - SUFFIX)) {
            return NOT_PLAIN;
        }
        try {
            if (!read(line, length)) {
                return NOT_PLAIN;
            }
        } catch (IOException | RuntimeException notPlain) {
            return NOT_PLAIN;
        }
        sha.reset();
        sha.update(line, prevAt(length), 64);
        sha.update(line, 0, length - SUFFIX);
        sha.update((byte) '}');
        byte[] digest = sha.digest();
        for (int i = 0; i < digest.length; i++) {
            computed[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            computed[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        return java.util.Arrays.equals(computed, 0, 64, line, hashAt(length), hashAt(length) + 64) ? SEALED : ALTERED;
    }

    private static boolean plainSuffix(byte[] line, int length) {
        int at = length - SUFFIX;
        return java.util.Arrays.equals(PREV, 0, PREV.length, line, at, at + PREV.length)
                && hex(line, prevAt(length))
                && java.util.Arrays.equals(HASH, 0, HASH.length, line, prevAt(length) + 64, hashAt(length))
                && hex(line, hashAt(length))
                && line[length - 2] == '"' && line[length - 1] == '}';
    }

    private static boolean hex(byte[] line, int at) {
        for (int i = at; i < at + 64; i++) {
            byte b = line[i];
            if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * No backslash and no character past U+FFFF at all, and no whitespace outside strings (with no
     * escapes, quotes delimit strings).
     */
    private static boolean plainTokens(byte[] line, int end) {
        boolean inString = false;
        for (int i = 0; i < end; i++) {
            byte b = line[i];
            // A backslash is an escape; a 4-byte sequence is a character past U+FFFF, which the generator
            // writes escaped as two surrogates.
            if (b == '\\' || (b & 0xf8) == 0xf0) {
                return false;
            }
            if (b == '"') {
                inString = !inString;
            } else if (!inString && (b == ' ' || b == '\t' || b == '\r' || b == '\n')) {
                return false;
            }
        }
        return !inString;
    }

    /** Reads the fields in the writer's order and types; false at the first difference. */
    private boolean read(byte[] line, int length) throws IOException {
        List<String> amr = List.of();
        Map<String, String> details = Map.of();
        Integer status = null;
        try (JsonParser p = AuditChain.JSON.getFactory().createParser(line, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            int strings = 0;
            for (String name : NAMES) {
                if (p.nextToken() != JsonToken.FIELD_NAME || !name.equals(p.currentName())) {
                    return false;
                }
                JsonToken value = p.nextToken();
                switch (name) {
                    case "amr" -> {
                        if (value != JsonToken.START_ARRAY) {
                            return false;
                        }
                        List<String> values = null;
                        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                            if (t != JsonToken.VALUE_STRING) {
                                return false;
                            }
                            if (values == null) {
                                values = new ArrayList<>(4);
                            }
                            values.add(p.getText());
                        }
                        amr = values == null ? List.of() : values;
                    }
                    case "status" -> {
                        if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                            status = p.getIntValue();
                            // "-0" reads as 0, which the generator writes "0".
                            if (status == 0 && p.getTextLength() != 1) {
                                return false;
                            }
                        } else if (value != JsonToken.VALUE_NULL) {
                            return false;
                        }
                    }
                    case "details" -> {
                        if (value != JsonToken.START_OBJECT) {
                            return false;
                        }
                        TreeMap<String, String> found = null;
                        String lastKey = null;
                        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                            String key = p.currentName();
                            // Sorted and each key once, as the writer's TreeMap gives them.
                            if (lastKey != null && lastKey.compareTo(key) >= 0 || p.nextToken() != JsonToken.VALUE_STRING) {
                                return false;
                            }
                            if (found == null) {
                                found = new TreeMap<>();
                            }
                            found.put(key, p.getText());
                            lastKey = key;
                        }
                        details = found == null ? Map.of() : found;
                    }
                    case "prev", "hash" -> {
                        // Their place and form were checked on the bytes.
                        if (value != JsonToken.VALUE_STRING) {
                            return false;
                        }
                    }
                    default -> {
                        if (value == JsonToken.VALUE_STRING) {
                            text[strings++] = p.getText();
                        } else if (value == JsonToken.VALUE_NULL) {
                            text[strings++] = null;
                        } else {
                            return false;
                        }
                    }
                }
            }
            if (p.nextToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return false;
            }
        }
        record = new AuditChain.Written(text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7], amr,
                text[8], text[9], text[10], text[11], status, text[12], text[13], details);
        return true;
    }
}
