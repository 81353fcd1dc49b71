package fr.hcbroker.stack.cardproxy;

import fr.hcbroker.stack.DebianPackages;
import fr.hcbroker.stack.StackException;
import fr.hcbroker.stack.pki.ServerTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * nginx terminating the TLS of card holders in front of Keycloak's https port. It asks for a
 * certificate (offering the IGC-Santé roots' names) but accepts any one, so that an expired card,
 * a card from an unknown CA or one without clientAuth reaches the cps-card authenticator and gets
 * its own page instead of a browser TLS error; the TLS handshake still proves the holder has the
 * card's key. It forwards the certificate in {@code X-HC-Card-Certificate} (replacing any such
 * header a client sent) over TLS in which it presents its own client certificate, the only one
 * Keycloak's {@code hc-card} lookup believes the header from.
 */
public final class CardProxy implements AutoCloseable {

    public static final String HEADER = "X-HC-Card-Certificate";
    /**
     * The address the proxy connects to Keycloak from: the only peer whose {@code X-Forwarded-For}
     * Keycloak believes (a browser reaching Keycloak directly comes from another one). On one machine
     * a loopback address of its own; in a deployment, the proxy's host.
     */
    public static final String SOURCE_ADDRESS = "127.0.0.3";
    private static final Path NGINX = Path.of("/usr/sbin/nginx");

    private final Path dir;
    private final Process process;

    private CardProxy(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /**
     * Listens on {@code port} (all interfaces, like Keycloak's own https) and forwards to Keycloak's
     * https port {@code keycloakHttpsPort} on this machine.
     */
    public static CardProxy start(Path dir, int port, int keycloakHttpsPort, ServerTls tls, Path cardAnchorsPem) {
        DebianPackages.ensure("nginx");
        try {
            Files.createDirectories(dir.resolve("tmp"));
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, config(dir, port, keycloakHttpsPort, tls, cardAnchorsPem));
            Process process = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", conf.toString(),
                    "-e", dir.resolve("error.log").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
            CardProxy proxy = new CardProxy(dir, process);
            proxy.awaitListening(port);
            return proxy;
        } catch (IOException e) {
            throw new StackException("cannot start the card proxy (nginx) in " + dir + ": " + e.getMessage(), e);
        }
    }

    static String config(Path dir, int port, int keycloakHttpsPort, ServerTls tls, Path cardAnchorsPem) {
        return """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                    # Request lines carry login-session codes: not logged.
                    access_log off;
                    server_tokens off;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    large_client_header_buffers 4 32k;
                    upstream keycloak {
                        server 127.0.0.1:%3$d;
                        keepalive 16;
                    }
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        ssl_certificate %4$s;
                        ssl_certificate_key %5$s;
                        ssl_protocols TLSv1.2 TLSv1.3;
                        # Ask for a card (CA names from this file), accept any: the authenticator judges it.
                        ssl_verify_client optional_no_ca;
                        ssl_client_certificate %6$s;
                        # optional_no_ca still stops expired, not-yet-valid and badly signed certificates
                        # (error 495): they go to Keycloak all the same, which names the fault.
                        error_page 495 = @keycloak;
                        proxy_http_version 1.1;
                        proxy_bind %11$s;
                        proxy_set_header Connection "";
                        proxy_set_header Host $http_host;
                        # The browser's address, replacing whatever it sent; the other forwarded
                        # headers are dropped (empty: not sent), so Keycloak's URLs stay its own.
                        proxy_set_header X-Forwarded-For $remote_addr;
                        proxy_set_header X-Forwarded-Host "";
                        proxy_set_header X-Forwarded-Proto "";
                        proxy_set_header X-Forwarded-Port "";
                        proxy_set_header X-Forwarded-Prefix "";
                        proxy_set_header Forwarded "";
                        # Always set (empty: not sent), so a client's own header never passes.
                        proxy_set_header %10$s $ssl_client_escaped_cert;
                        proxy_ssl_certificate %7$s;
                        proxy_ssl_certificate_key %8$s;
                        proxy_ssl_trusted_certificate %9$s;
                        proxy_ssl_verify on;
                        proxy_ssl_name localhost;
                        proxy_ssl_session_reuse on;
                        proxy_buffer_size 64k;
                        proxy_buffers 8 64k;
                        proxy_busy_buffers_size 128k;
                        location / {
                            proxy_pass https://keycloak;
                        }
                        location @keycloak {
                            proxy_pass https://keycloak;
                        }
                    }
                }
                """.formatted(dir, port, keycloakHttpsPort, tls.serverChainPem(), tls.serverKeyPem(), cardAnchorsPem,
                tls.proxyCertificatePem(), tls.proxyKeyPem(), tls.caPem(), HEADER, SOURCE_ADDRESS);
    }

    private void awaitListening(int port) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new StackException("the card proxy (nginx) exited with status " + process.exitValue() + ": "
                        + firstError() + " (log: " + dir.resolve("error.log") + ")");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                sleep();
            }
        }
        close();
        throw new StackException("the card proxy (nginx) did not listen on " + port + " within 20 s (log: "
                + dir.resolve("error.log") + ")");
    }

    private String firstError() {
        for (Path log : List.of(dir.resolve("error.log"), dir.resolve("nginx.out"))) {
            try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
                var line = lines.filter(l -> l.contains("[emerg]") || l.contains("[alert]")).findFirst();
                if (line.isPresent()) {
                    return line.get();
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // no such log yet
            }
        }
        return "no error logged";
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while waiting for the card proxy");
        }
    }

    /** The nginx master process (its workers are its children). */
    public ProcessHandle process() {
        return process.toHandle();
    }

    /** Fast shutdown (SIGTERM to the master, which ends its workers). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
