package fr.hcbroker.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The gateway's whole configuration, parsed and validated once at start ({@link ConfigLoader}).
 *
 * @param listenHost      address to bind
 * @param listenPort      port to bind (8000 by default)
 * @param publicUrl       the gateway's external base URL (callbacks, cookie scope, same-origin checks)
 * @param oidc            the Keycloak realm and client the gateway logs people in with
 * @param session         session lifetimes
 * @param trustedProxies  peer addresses whose {@code X-Forwarded-*} headers are believed
 * @param upstreamTimeout connect and idle timeout towards the apps
 * @param audit           where and how decisions are recorded
 * @param routes          routes, matched in order: the first whose host and path prefix match wins
 * @param management      where metrics and health are served apart from the apps, or null: then on the main port
 * @param connections     how long a browser's connection may go without progress, and how many one address may open
 * @param refusals        how repeated refusals from one address are summarised in the audit trail ({@code audit.refusals})
 */
public record GatewayConfig(String listenHost, int listenPort, URI publicUrl, OidcConfig oidc, SessionConfig session,
                            Set<String> trustedProxies, Duration upstreamTimeout, AuditConfig audit,
                            List<RouteConfig> routes, Management management, Connections connections,
                            Refusals refusals) {

    public GatewayConfig {
        routes = List.copyOf(routes);
        trustedProxies = Set.copyOf(trustedProxies);
    }

    /** With the default connection limits and refusal summaries ({@link Connections#DEFAULTS}, {@link Refusals#DEFAULTS}). */
    public GatewayConfig(String listenHost, int listenPort, URI publicUrl, OidcConfig oidc, SessionConfig session,
                         Set<String> trustedProxies, Duration upstreamTimeout, AuditConfig audit,
                         List<RouteConfig> routes, Management management) {
        this(listenHost, listenPort, publicUrl, oidc, session, trustedProxies, upstreamTimeout, audit, routes, management,
                Connections.DEFAULTS, Refusals.DEFAULTS);
    }

    /**
     * Repeated refusals summarised in the trail (issue #35; {@code RefusalSummary}).
     *
     * @param threshold refusals of one reason recorded one by one per client address and window (five
     *                  times that per address, all reasons together); the rest become one summary record
     * @param window    a window's length: its summary is written at its end
     */
    public record Refusals(int threshold, Duration window) {
        /** 20 per reason and 100 per address a minute: about 50 KB and one summary per flooding address and minute. */
        public static final Refusals DEFAULTS = new Refusals(20, Duration.ofSeconds(60));
    }

    /**
     * Bounds on browsers' connections (issue #34), on every listener. Reloadable: new connections take
     * the new values.
     *
     * @param headTimeout  an unfinished request head is closed after this
     * @param bodyTimeout  a request body that stops arriving for this long is closed
     * @param idleTimeout  a keep-alive connection with no new request for this long is closed
     * @param maxPerClient open connections one client address may hold (trusted proxies are not capped)
     */
    public record Connections(Duration headTimeout, Duration bodyTimeout, Duration idleTimeout, int maxPerClient) {
        /** nginx-like: 20 s for a head (nginx 60 s), 60 s of body silence, 75 s idle keep-alive; a terminal server's worth of connections. */
        public static final Connections DEFAULTS = new Connections(Duration.ofSeconds(20), Duration.ofSeconds(60),
                Duration.ofSeconds(75), 4000);
    }

    /**
     * The sections that differ in {@code next} and that a running gateway cannot take from a reload
     * (its sockets, its identity towards Keycloak, its stores are built from them): empty when
     * {@code next} can replace this configuration in place. Routes, trusted proxies and the upstream
     * timeout reload.
     */
    public List<String> restartOnlyChanges(GatewayConfig next) {
        List<String> changed = new java.util.ArrayList<>();
        if (!listenHost.equals(next.listenHost) || listenPort != next.listenPort) {
            changed.add("listen");
        }
        if (!publicUrl.equals(next.publicUrl)) {
            changed.add("publicUrl");
        }
        if (!oidc.equals(next.oidc)) {
            changed.add("oidc");
        }
        if (!session.equals(next.session)) {
            changed.add("session");
        }
        if (!audit.equals(next.audit) || !refusals.equals(next.refusals)) {
            changed.add("audit");
        }
        if (!java.util.Objects.equals(management, next.management)) {
            changed.add("management");
        }
        return changed;
    }

    /** Whether cookies must be {@code Secure} and may use the {@code __Host-} prefix. */
    public boolean https() {
        return "https".equals(publicUrl.getScheme());
    }

    /**
     * @param issuer       the realm's issuer URL
     * @param clientId     the gateway's confidential client
     * @param clientSecret its secret, read from the environment variable named in the file
     * @param discovery    where the gateway itself reaches the realm when that differs from the issuer
     *                     people's browsers use (containers: {@code http://keycloak-1:8080/realms/...}),
     *                     or null; the metadata found there must still name {@code issuer}
     */
    public record OidcConfig(URI issuer, String clientId, String clientSecret, URI discovery) {
        @Override
        public String toString() {
            return "OidcConfig[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret=***, discovery=" + discovery + "]";
        }
    }

    /**
     * @param dir         directory of the audit files ({@code gateway-<date>.jsonl}, checkpoints, signing key)
     * @param groupCommit longest wait before an allowed request's record is on disk
     * @param syslog      SIEM to forward records to, or null
     * @param onWriteFailure what happens to an allowed request while its record cannot be written
     * @param emergencyReview the security officer's review page of emergency accesses, or null: none
     * @param complianceReport the IT admins' compliance report page, or null: none
     */
    public record AuditConfig(java.nio.file.Path dir, Duration groupCommit, Syslog syslog, OnWriteFailure onWriteFailure,
                              EmergencyReview emergencyReview, ComplianceReport complianceReport) {
    }

    /**
     * {@code audit.complianceReport}: the page {@code /.hc/compliance} where IT admins get the compliance
     * report ({@code hc-audit report}, docs/fr/audit-rapport.md) over a period.
     *
     * @param role   the realm or client role the page requires
     * @param trails directories of the audit files counted (and their {@code archive/})
     * @param realm  Keycloak realm export files (the factors people own, the clients' levels); may be empty
     * @param key    one checkpoint public key for every file, a copy kept apart from them; null: each directory's own
     */
    public record ComplianceReport(String role, List<java.nio.file.Path> trails, List<java.nio.file.Path> realm,
                                   java.nio.file.Path key) {
        public ComplianceReport {
            trails = List.copyOf(trails);
            realm = List.copyOf(realm);
        }
    }

    /**
     * {@code audit.emergencyReview}: the page {@code /.hc/emergencies} where the security officer lists
     * emergency accesses and records a verdict on each (docs/fr/acces-urgence.md). Its verdicts go to
     * {@code review-<date>.jsonl} in {@code audit.dir}.
     *
     * @param role   the realm or client role the page requires ({@code client:role} for a client's)
     * @param trails directories whose audit files ({@code *.jsonl}) the page reads: Keycloak's, the gateways'
     * @param days   how many days back the page lists
     */
    public record EmergencyReview(String role, List<java.nio.file.Path> trails, int days) {
        public EmergencyReview {
            trails = List.copyOf(trails);
        }
    }

    /**
     * {@code audit.onWriteFailure}: while the trail cannot be written, {@code refuse} (the default) turns
     * allowed requests away with a page saying why; {@code serve} serves them unrecorded, says so in the
     * log and counts them ({@code hc_audit_records_lost_total}). Either way {@code /readyz} is not ready.
     */
    public enum OnWriteFailure {
        REFUSE, SERVE
    }

    /** The management listener: {@code /metrics}, {@code /healthz} and {@code /readyz}, for monitoring only. */
    public record Management(String host, int port) {
    }

    /** A SIEM's syslog endpoint (RFC 5424 over TCP, or TLS with the JVM's trust store). */
    public record Syslog(String host, int port, boolean tls) {
    }

    /**
     * @param idleTimeout     a session unused this long ends
     * @param absoluteTimeout a session ends this long after login whatever its use
     * @param cluster         the gateway nodes sharing sessions, or null for a single node
     */
    public record SessionConfig(Duration idleTimeout, Duration absoluteTimeout, Cluster cluster) {
    }

    /**
     * An embedded Infinispan cluster over JGroups TCP. Discovery is either the static member list
     * (TCPPING) or, when {@code jgroupsFile} is set, whatever that JGroups stack says (DNS_PING on
     * Kubernetes, for instance).
     *
     * @param name        cluster name: nodes join only a cluster of the same name
     * @param bindHost    address this node's JGroups listens on
     * @param bindPort    port this node's JGroups listens on
     * @param members     every node's {@code host:port}, this one included
     * @param owners      copies of each session (at least 2: a killed node loses none)
     * @param jgroupsFile a JGroups stack file replacing the built-in TCP stack, or null
     * @param secret      shared by the nodes (read from the environment variable named in the file):
     *                    the built-in stack encrypts cluster traffic with a key derived from it, so a
     *                    host without it can neither join nor read or write sessions
     */
    public record Cluster(String name, String bindHost, int bindPort, List<java.net.InetSocketAddress> members,
                          int owners, java.nio.file.Path jgroupsFile, String secret) {
        /**
         * The built-in stack's failure detection (FD_SOCK2) listens at the JGroups port plus this, as in
         * Infinispan's and Keycloak's own stacks: one firewall rule for both (7800 and 57800).
         */
        public static final int FAILURE_DETECTION_OFFSET = 50_000;

        public Cluster {
            members = List.copyOf(members);
        }

        @Override
        public String toString() {
            return "Cluster[name=" + name + ", bind=" + bindHost + ":" + bindPort + ", members=" + members
                    + ", owners=" + owners + ", jgroupsFile=" + jgroupsFile + ", secret=***]";
        }
    }
}
