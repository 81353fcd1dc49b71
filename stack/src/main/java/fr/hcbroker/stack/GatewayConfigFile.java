package fr.hcbroker.stack;

/** The gateway configuration of the demo and the end-to-end tests (format: docs/gateway.md). */
final class GatewayConfigFile {

    static final String SECRET_VARIABLE = "HC_GATEWAY_CLIENT_SECRET";

    private GatewayConfigFile() {
    }

    static String demo(StackPorts ports, String keycloakUrl, String gatewayUrl) {
        return """
                # Written by the stack for this run.
                listen:
                  host: 0.0.0.0
                  port: %d
                publicUrl: %s
                oidc:
                  issuer: %s/realms/hospiconnect
                  clientId: hc-gateway
                  clientSecretEnv: %s
                session:
                  idleMinutes: 30
                  absoluteMinutes: 600
                upstreamTimeoutSeconds: 5
                routes:
                  - id: demo-public
                    path: /public
                    upstream: http://127.0.0.1:%d
                    publicPaths: [/public]
                  - id: demo-high
                    path: /high
                    upstream: http://127.0.0.1:%d
                    minLevel: eidas3
                  - id: demo-pharmacy
                    path: /pharmacy
                    upstream: http://127.0.0.1:%d
                    professions: ["21"]
                  - id: demo-legacy-cgi
                    path: /cgi
                    upstream: http://127.0.0.1:%d
                    headers:
                      rename: {X-HC-User: REMOTE_USER}
                      drop: [X-HC-Email]
                  - id: demo-app
                    path: /
                    upstream: http://127.0.0.1:%d
                """.formatted(ports.gateway(), gatewayUrl, keycloakUrl, SECRET_VARIABLE,
                ports.demoApp(), ports.demoApp(), ports.demoApp(), ports.demoApp(), ports.demoApp());
    }
}
