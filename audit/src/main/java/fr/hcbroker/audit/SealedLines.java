package fr.hcbroker.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The lines of a batch, sealed as they are written: each record's canonical JSON goes straight into
 * this buffer, is hashed where it lies, and is closed with its {@code prev} and {@code hash} (the same
 * bytes as {@link AuditChain#line(AuditChain.Fields, String, String)}). The chain's last hash is kept
 * as the hex bytes the next line starts from, and one generator serves every record: per record,
 * strings for the hashes and a new generator cost more than the writing. Used by the writer's thread only.
 */
final class SealedLines extends ByteArrayOutputStream {

    private static final byte[] PREV = ",\"prev\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HASH = "\",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\"}\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final JsonGenerator generator;
    private final MessageDigest sha;
    /** The last record's hash in lower-case hex: what the next record is chained to. */
    private byte[] last;
    private byte[] next = new byte[64];

    SealedLines(String lastHash) {
        super(64 * 1024);
        try {
            generator = AuditChain.JSON.getFactory().createGenerator(this);
            sha = MessageDigest.getInstance("SHA-256");
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("a generator over memory and SHA-256 are always there", e);
        }
        // Records follow one another as separate lines, not as a sequence of root values.
        generator.setRootValueSeparator(null);
        chainFrom(lastHash);
    }

    /** Chains the next record to {@code hash} (at a start, or after a failed batch: to what the disk holds). */
    void chainFrom(String hash) {
        last = hash.getBytes(StandardCharsets.US_ASCII);
    }

    /** The hash the chain ends with. */
    String lastHash() {
        return new String(last, StandardCharsets.US_ASCII);
    }

    /** Appends the record's line, chained to the last one. */
    void seal(AuditRecord record) throws IOException {
        int start = count;
        AuditChain.writeCanonical(generator, record);
        generator.flush();
        sha.reset();
        sha.update(last);
        sha.update(buf, start, count - start);
        byte[] digest = sha.digest();
        for (int i = 0; i < digest.length; i++) {
            next[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            next[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        count--; // the closing brace: prev and hash go inside the object
        writeBytes(PREV);
        writeBytes(last);
        writeBytes(HASH);
        writeBytes(next);
        writeBytes(END);
        byte[] previous = last;
        last = next;
        next = previous;
    }

    /** The bytes written since the last {@link #reset()}, without a copy. */
    ByteBuffer bytes() {
        return ByteBuffer.wrap(buf, 0, count);
    }
}
