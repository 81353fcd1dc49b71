package fr.hcbroker.gateway.session;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A refresh token as a session keeps it: Keycloak's is a JWT of some 700 base64url characters, the
 * largest part of a session, so its segments are kept decoded (three quarters of the size) and encoded
 * again when the token is sent. Only a token that encodes back to exactly the same text is packed; any
 * other (not a JWT, padding, non-canonical bits) is kept as its bytes. Compared by content.
 */
public final class PackedToken implements Serializable {

    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** Decoded segments, each preceded by its length (2 bytes); or the token's own bytes. */
    private final byte[] bytes;
    private final boolean packed;

    private PackedToken(byte[] bytes, boolean packed) {
        this.bytes = bytes;
        this.packed = packed;
    }

    /** The token packed, or null for null. */
    public static PackedToken of(String token) {
        if (token == null) {
            return null;
        }
        byte[] packed = pack(token);
        return packed != null ? new PackedToken(packed, true) : new PackedToken(token.getBytes(StandardCharsets.UTF_8), false);
    }

    private static byte[] pack(String token) {
        String[] segments = token.split("\\.", -1);
        byte[][] decoded = new byte[segments.length][];
        int size = 0;
        try {
            for (int i = 0; i < segments.length; i++) {
                decoded[i] = DECODER.decode(segments[i]);
                if (decoded[i].length > 0xFFFF || !ENCODER.encodeToString(decoded[i]).equals(segments[i])) {
                    return null;
                }
                size += 2 + decoded[i].length;
            }
        } catch (IllegalArgumentException notBase64url) {
            return null;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] segment : decoded) {
            out[at++] = (byte) (segment.length >>> 8);
            out[at++] = (byte) segment.length;
            System.arraycopy(segment, 0, out, at, segment.length);
            at += segment.length;
        }
        return out;
    }

    /** The token's text, as Keycloak issued it. */
    public String text() {
        if (!packed) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        StringBuilder token = new StringBuilder(bytes.length * 4 / 3 + 4);
        for (int at = 0; at < bytes.length; ) {
            int length = (bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF;
            if (at > 0) {
                token.append('.');
            }
            at += 2;
            token.append(ENCODER.encodeToString(Arrays.copyOfRange(bytes, at, at + length)));
            at += length;
        }
        return token.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PackedToken that && packed == that.packed && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** A credential: never in a log line. */
    @Override
    public String toString() {
        return "PackedToken[" + bytes.length + " bytes]";
    }
}
