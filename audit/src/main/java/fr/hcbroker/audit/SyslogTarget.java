package fr.hcbroker.audit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Where records are forwarded: a SIEM's syslog receiver over TCP, or over TLS when {@code tls} is
 * given (server certificate and host name checked against the factory's trust store).
 */
public record SyslogTarget(String host, int port, SSLSocketFactory tls, Duration timeout) {

    public SyslogTarget {
        if (host == null || host.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("syslog target needs a host and a port in 1..65535");
        }
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
    }

    Socket connect() throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        plain.setSoTimeout((int) timeout.toMillis());
        if (tls == null) {
            return plain;
        }
        SSLSocket socket = (SSLSocket) tls.createSocket(plain, host, port, true);
        SSLParameters params = socket.getSSLParameters();
        // Without this, JSSE checks the chain but not that the certificate names the SIEM.
        params.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(params);
        socket.startHandshake();
        return socket;
    }
}
