package fr.hcbroker.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The verifier's fast path: reads a line as the writer seals it, in one pass over its bytes, and
 * checks its hash over those bytes. The writer writes {@code canonical JSON minus its closing brace}
 * {@code ,"prev":"<64 hex>","hash":"<64 hex>"}} and hashes {@code prev || canonical JSON}
 * ({@link SealedLines}), so a line in canonical form is checked without writing it again.
 *
 * <p>It accepts only lines it can prove canonical without writing them: the fields in their fixed
 * order with the types the writer gives them, details sorted, no whitespace between tokens, strings
 * of strict UTF-8 without backslash, control character or character past U+FFFF (such a string is its
 * own UTF-8, which is what the generator writes), a status written as the generator writes an int.
 * Anything else (a reason with a quote, a hostile line) is {@link #NOT_PLAIN}: the caller then checks
 * it the slow, exact way (parse, write again, compare). So what it accepts the slow way accepts too,
 * and it rejects nothing by itself but a bad hash. It locates the fields itself rather than through a
 * JSON parser: the form it accepts is that narrow, and a parser cost more than the hash. One instance
 * per thread: it keeps its digest and buffers.
 */
final class SealedLine {

    /** {@code ,"prev":"} 64 hex {@code ","hash":"} 64 hex {@code "}}. */
    static final int SUFFIX = 9 + 64 + 10 + 64 + 2;
    private static final byte[] PREV = ",\"prev\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HASH = "\",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final boolean[] IS_HEX = new boolean[256];
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
    private static final String[] NAMES = {"ts", "source", "event", "outcome", "reason", "user", "idnat", "loa",
            "amr", "session", "route", "method", "path", "status", "client_ip", "request_id", "details"};
    private static final int AMR = 8, STATUS = 13, DETAILS = 16;
    /** What comes before each field's value: {@code {"ts":}, then {@code ,"source":} and so on. */
    private static final byte[][] BEFORE = new byte[NAMES.length][];

    static {
        for (byte h : HEX) {
            IS_HEX[h] = true;
        }
        for (int i = 0; i < NAMES.length; i++) {
            BEFORE[i] = ((i == 0 ? "{" : ",") + "\"" + NAMES[i] + "\":").getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** What {@link #check} concluded. */
    static final int SEALED = 0, ALTERED = 1, NOT_PLAIN = 2;

    private final MessageDigest sha;
    private final byte[] computed = new byte[64];
    private final String[] text = new String[14];
    /** The line being read and where its canonical part (before {@code ,"prev":}) ends. */
    private byte[] line;
    private int end;
    /** The next byte to read. */
    private int at;

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
        if (length < SUFFIX + 2 || !plainSuffix(line, length)) {
            return NOT_PLAIN;
        }
        this.line = line;
        this.end = length - SUFFIX;
        boolean plain = read();
        this.line = null;
        if (!plain) {
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
            if (!IS_HEX[line[i] & 0xff]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads {@code line[0..end)} as {@code {"ts":...,"details":{...}} in the writer's order and types
     * and sets {@link #record}; false at the first difference. The object's closing brace is the
     * suffix's, checked apart.
     */
    private boolean read() {
        at = 0;
        List<String> amr = List.of();
        Map<String, String> details = Map.of();
        Integer status = null;
        int strings = 0;
        for (int f = 0; f < NAMES.length; f++) {
            if (!skip(BEFORE[f])) {
                return false;
            }
            switch (f) {
                case AMR -> {
                    amr = strings();
                    if (amr == null) {
                        return false;
                    }
                }
                case STATUS -> {
                    if (!skip(NULL)) {
                        status = integer();
                        if (status == null) {
                            return false;
                        }
                    }
                }
                case DETAILS -> {
                    details = details();
                    if (details == null) {
                        return false;
                    }
                }
                default -> {
                    if (skip(NULL)) {
                        text[strings++] = null;
                    } else if ((text[strings++] = string()) == null) {
                        return false;
                    }
                }
            }
        }
        if (at != end) {
            return false;
        }
        record = new AuditChain.Written(text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7], amr,
                text[8], text[9], text[10], text[11], status, text[12], text[13], details);
        return true;
    }

    /** Steps over {@code expected} if the line has it next. */
    private boolean skip(byte[] expected) {
        if (end - at < expected.length || !java.util.Arrays.equals(expected, 0, expected.length, line, at, at + expected.length)) {
            return false;
        }
        at += expected.length;
        return true;
    }

    private boolean skip(char expected) {
        if (at < end && line[at] == expected) {
            at++;
            return true;
        }
        return false;
    }

    /**
     * A string the generator would write as it stands: no backslash, no control character (it
     * escapes both), strict UTF-8 of characters up to U+FFFF (it escapes those past it as two
     * surrogates). Null if the next value is not one.
     */
    private String string() {
        if (!skip('"')) {
            return null;
        }
        int from = at;
        while (at < end) {
            int b = line[at];
            if (b == '"') {
                at++;
                return new String(line, from, at - 1 - from, StandardCharsets.UTF_8);
            }
            if (b == '\\' || b >= 0 && b < 0x20) {
                return null;
            }
            int size = b >= 0 ? 1 : sequence(line, at, end);
            if (size < 0) {
                return null;
            }
            at += size;
        }
        return null;
    }

    /**
     * The length of the strict UTF-8 sequence of a character U+0080 to U+FFFF (not a surrogate) at
     * {@code i}, or -1: a continuation byte, an overlong form, a surrogate, a character past U+FFFF, a
     * sequence cut short.
     */
    private static int sequence(byte[] line, int i, int end) {
        int lead = line[i] & 0xff;
        if (lead >= 0xc2 && lead <= 0xdf) {
            return i + 1 < end && continuation(line[i + 1]) ? 2 : -1;
        }
        if (lead >= 0xe0 && lead <= 0xef && i + 2 < end && continuation(line[i + 1]) && continuation(line[i + 2])) {
            int second = line[i + 1] & 0xff;
            return lead == 0xe0 && second < 0xa0 || lead == 0xed && second > 0x9f ? -1 : 3;
        }
        return -1;
    }

    private static boolean continuation(byte b) {
        return (b & 0xc0) == 0x80;
    }

    /** An array of strings (amr), or null if the next value is not one. */
    private List<String> strings() {
        if (!skip('[')) {
            return null;
        }
        if (skip(']')) {
            return List.of();
        }
        List<String> values = new ArrayList<>(4);
        do {
            String value = string();
            if (value == null) {
                return null;
            }
            values.add(value);
        } while (skip(','));
        return skip(']') ? values : null;
    }

    /** An object of strings with its keys sorted and each once, as the writer's TreeMap gives them, or null. */
    private Map<String, String> details() {
        if (!skip('{')) {
            return null;
        }
        if (skip('}')) {
            return Map.of();
        }
        TreeMap<String, String> found = new TreeMap<>();
        String lastKey = null;
        do {
            String key = string();
            if (key == null || lastKey != null && lastKey.compareTo(key) >= 0 || !skip(':')) {
                return null;
            }
            String value = string();
            if (value == null) {
                return null;
            }
            found.put(key, value);
            lastKey = key;
        } while (skip(','));
        return skip('}') ? found : null;
    }

    /**
     * An int as the generator writes it: {@code 0}, or digits not starting with 0 after an optional
     * minus, within an int's range (so not {@code -0}, {@code 007}, {@code 2e2}: what follows a number
     * must be the next field). Null if the next value is not one.
     */
    private Integer integer() {
        int i = at;
        boolean negative = i < end && line[i] == '-';
        if (negative) {
            i++;
        }
        int first = i;
        long value = 0;
        while (i < end && i - first <= 10 && line[i] >= '0' && line[i] <= '9') {
            value = 10 * value + (line[i] - '0');
            i++;
        }
        int digits = i - first;
        if (digits == 0 || digits > 10 || line[first] == '0' && (digits > 1 || negative)) {
            return null;
        }
        value = negative ? -value : value;
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            return null;
        }
        at = i;
        return (int) value;
    }
}
