package fr.hcbroker.stack;

import java.nio.file.Path;

/** The gateway configuration of the demo and the end-to-end tests (format: docs/en/gateway.md). */
final class GatewayConfigFile {

    static final String SECRET_VARIABLE = "HC_GATEWAY_CLIENT_SECRET";

    private GatewayConfigFile() {
    }

    /**
     * @param keycloakUrl         Keycloak as browsers reach it (the issuer's base)
     * @param backChannelUrl      Keycloak as the gateway reaches it, or null: the same
     */
    static String demo(StackPorts ports, String keycloakUrl, String backChannelUrl, String gatewayUrl, Path auditDir) {
        String app = "http://127.0.0.1:" + ports.demoApp();
        // The end-to-end tests, whose clients are all 127.0.0.1, raise the refusal summaries' threshold.
        Integer threshold = Integer.getInteger("hc.stack.refusalThreshold");
        return """
                # Written by the stack for this run.
                listen:
                  host: 127.0.0.1
                  port: %d
                publicUrl: %s
                oidc:
                  issuer: %s/realms/hospiconnect%s
                  clientId: hc-gateway
                  clientSecretEnv: %s
                session:
                  idleMinutes: 30
                  absoluteMinutes: 600
                upstreamTimeoutSeconds: 5
                audit:
                  dir: %s
                  groupCommitMillis: 50
                  complianceReport: {trails: ["%s"]}%s
                routes:
                  - id: demo-public
                    path: /public
                    upstream: %s
                    publicPaths: [/public]
                  - id: demo-high
                    path: /high
                    upstream: %s
                    minLevel: eidas3
                  - id: demo-pharmacy
                    path: /pharmacy
                    upstream: %s
                    professions: ["21"]
                  - id: demo-legacy-cgi
                    path: /cgi
                    upstream: %s
                    headers:
                      rename: {X-HC-User: REMOTE_USER}
                      drop: [X-HC-Email]
                  - id: demo-ward
                    path: /ward
                    upstream: %s
                    banner: true
                  - id: demo-app
                    path: /
                    upstream: %s
                """.formatted(ports.gateway(), gatewayUrl, keycloakUrl,
                backChannelUrl == null ? "" : "\n  discoveryUrl: " + backChannelUrl + "/realms/hospiconnect", SECRET_VARIABLE, auditDir, auditDir,
                threshold == null ? "" : "\n  refusals: {threshold: " + threshold + "}", app, app, app, app, app, app);
    }
}
