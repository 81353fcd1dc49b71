package fr.hcbroker.gateway.identity;

import java.nio.charset.StandardCharsets;

/**
 * Header values as DESIGN.md §5 wants them: printable ASCII stays readable, everything else
 * (accents, CR, LF, NUL, other controls) is percent-encoded UTF-8, and so is '%' itself, so a value
 * decodes back exactly and can never split or end a header.
 */
public final class HeaderValues {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private HeaderValues() {
    }

    public static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }
}
