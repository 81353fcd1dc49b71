package fr.hcbroker.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The lines of a batch, sealed as they are written: each record's canonical JSON goes straight into
 * this buffer, is hashed where it lies, and is closed with its {@code prev} and {@code hash} (the same
 * bytes as {@link AuditChain#line(AuditRecord, String, String)}). One generator serves every record:
 * creating one per record cost more than the writing. Used by the writer's thread only.
 */
final class SealedLines extends ByteArrayOutputStream {

    private final JsonGenerator generator;

    SealedLines() {
        super(64 * 1024);
        try {
            generator = AuditChain.JSON.getFactory().createGenerator(this);
        } catch (IOException e) {
            throw new IllegalStateException("a generator over memory cannot fail", e);
        }
        // Records follow one another as separate lines, not as a sequence of root values.
        generator.setRootValueSeparator(null);
    }

    /** Appends the record's line after {@code prev}; returns the record's hash. */
    String seal(AuditRecord record, String prev) throws IOException {
        int start = count;
        AuditChain.writeCanonical(generator, record);
        generator.flush();
        String hash = AuditChain.hash(prev, buf, start, count - start);
        count--; // the closing brace: prev and hash go inside the object
        writeBytes((",\"prev\":\"" + prev + "\",\"hash\":\"" + hash + "\"}\n").getBytes(StandardCharsets.US_ASCII));
        return hash;
    }

    /** The bytes written since the last {@link #reset()}, without a copy. */
    ByteBuffer bytes() {
        return ByteBuffer.wrap(buf, 0, count);
    }
}
