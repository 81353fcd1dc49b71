package fr.hcbroker.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The processes measured: the upstream app, nginx, Apache with mod_auth_openidc, the gateway. */
final class Peers {

    private Peers() {
    }

    static Process start(List<String> command, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Waits for an HTTP answer (any status) on {@code url}; fails loudly if the peer dies or never answers. */
    static void awaitHttp(String what, String url, Process process, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited (" + process.exitValue() + "): " + Files.readString(log));
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(what + " did not answer " + url + " within 60 s (log " + log + ")");
    }

    static String nginxUpstream(Path dir, int port) {
        return """
                worker_processes 2; daemon off; pid %1$s/upstream.pid; error_log %1$s/upstream-error.log;
                events { worker_connections 4096; }
                http {
                  access_log off; default_type text/plain; keepalive_requests 1000000;
                  client_body_temp_path %1$s/tmp; proxy_temp_path %1$s/tmp;
                  # mod_auth_openidc names its headers OIDC_CLAIM_*: nginx drops such names unless told.
                  underscores_in_headers on;
                  server { listen 127.0.0.1:%2$d; location / { return 200 "hello from the upstream app\\nexpect=$http_x_bench_expect\\ngateway=$http_x_hc_user\\noidc=$http_oidc_claim_preferred_username\\n"; } }
                }
                """.formatted(dir, port);
    }

    static String nginxProxy(Path dir, int port, int upstream) {
        return """
                worker_processes 2; daemon off; pid %1$s/proxy.pid; error_log %1$s/proxy-error.log;
                events { worker_connections 4096; }
                http {
                  access_log off; keepalive_requests 1000000;
                  client_body_temp_path %1$s/tmp; proxy_temp_path %1$s/tmp;
                  upstream app { server 127.0.0.1:%3$d; keepalive 128; }
                  server { listen 127.0.0.1:%2$d;
                    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }
                }
                """.formatted(dir, port, upstream);
    }

    static String apache(Path dir, int port, int upstream, String keycloakUrl, String clientId, String secret) {
        String modules = "/usr/lib/apache2/modules/";
        return """
                ServerRoot %1$s
                Listen 127.0.0.1:%2$d
                ServerName 127.0.0.1
                PidFile %1$s/apache.pid
                ErrorLog %1$s/apache-error.log
                LogLevel warn
                User nobody
                Group nogroup
                LoadModule mpm_event_module %3$smod_mpm_event.so
                LoadModule authz_core_module %3$smod_authz_core.so
                LoadModule authn_core_module %3$smod_authn_core.so
                LoadModule authz_user_module %3$smod_authz_user.so
                LoadModule proxy_module %3$smod_proxy.so
                LoadModule proxy_http_module %3$smod_proxy_http.so
                LoadModule auth_openidc_module %3$smod_auth_openidc.so
                KeepAlive On
                MaxKeepAliveRequests 0
                OIDCProviderMetadataURL %4$s/realms/hospiconnect/.well-known/openid-configuration
                OIDCClientID %5$s
                OIDCClientSecret %6$s
                OIDCRedirectURI http://127.0.0.1:%2$d/redirect_uri
                OIDCCryptoPassphrase %6$s
                OIDCPKCEMethod S256
                OIDCSessionInactivityTimeout 3600
                # Sessions live in shared memory, 500 entries by default: room for the benchmark's
                # 1 000 sessions, their login states and a margin (entries of the default size, 16.5 KB).
                OIDCCacheType shm
                OIDCCacheShmMax 4000
                <Location />
                  AuthType openid-connect
                  Require valid-user
                  ProxyPass http://127.0.0.1:%7$d/ keepalive=On
                </Location>
                """.formatted(dir, port, modules, keycloakUrl, clientId, secret, upstream);
    }

    static String gateway(Path dir, int port, String publicUrl, int upstream, String keycloakUrl) {
        return """
                listen: {host: 127.0.0.1, port: %d}
                publicUrl: %s
                oidc: {issuer: %s/realms/hospiconnect, clientId: hc-gateway, clientSecretEnv: HC_GATEWAY_CLIENT_SECRET}
                audit: {dir: %s, groupCommitMillis: 50}
                routes:
                  - {id: bench-app, path: /, upstream: "http://127.0.0.1:%d"}
                """.formatted(port, publicUrl, keycloakUrl, dir.resolve("audit"), upstream);
    }

    /** The session cluster block appended to {@link #gateway}'s file for a clustered node. */
    static String cluster(int bindPort, String members) {
        return """
                session:
                  cluster: {name: hc-bench, bind: "127.0.0.1:%d", members: [%s], secretEnv: HC_GATEWAY_CLUSTER_SECRET}
                """.formatted(bindPort, members);
    }
}
