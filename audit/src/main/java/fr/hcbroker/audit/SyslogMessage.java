package fr.hcbroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * One audit line as an RFC 5424 syslog message, framed by octet counting (RFC 6587 §3.4.1), so a
 * line's content never breaks the framing. The MSG is the JSON line itself, chain fields included,
 * so the SIEM holds the same evidence as the disk.
 */
final class SyslogMessage {

    /** Facility 10, security/authorization (authpriv). */
    private static final int FACILITY = 10;
    private static final int NOTICE = 5;
    private static final int WARNING = 4;

    private SyslogMessage() {
    }

    static byte[] framed(String jsonLine, String hostname, String appName) throws java.io.IOException {
        JsonNode node = AuditChain.JSON.readTree(jsonLine);
        String outcome = node.path("outcome").asText("");
        int severity = outcome.equals("allow") || outcome.equals("success") ? NOTICE : WARNING;
        String ts = node.hasNonNull("ts") ? node.get("ts").asText() : "-";
        String msgId = field(node.path("event").asText("-"));
        String header = "<" + (FACILITY * 8 + severity) + ">1 " + ts + " " + field(hostname) + " " + field(appName)
                + " - " + msgId + " - ";
        byte[] message = (header + jsonLine).getBytes(StandardCharsets.UTF_8);
        byte[] prefix = (message.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] framed = new byte[prefix.length + message.length];
        System.arraycopy(prefix, 0, framed, 0, prefix.length);
        System.arraycopy(message, 0, framed, prefix.length, message.length);
        return framed;
    }

    /** RFC 5424 header fields are printable US-ASCII without spaces, at most 48 characters. */
    private static String field(String value) {
        String printable = value == null ? "" : value.replaceAll("[^\\x21-\\x7e]", "_");
        if (printable.isEmpty()) {
            return "-";
        }
        return printable.length() > 48 ? printable.substring(0, 48) : printable;
    }
}
