package fr.hcbroker.stack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.stack.cardproxy.CardProxy;
import fr.hcbroker.stack.demo.DemoAccounts;
import fr.hcbroker.stack.demo.DemoProfessional;
import fr.hcbroker.stack.demoapp.DemoLegacyApp;
import fr.hcbroker.stack.keycloak.KeycloakOptions;
import fr.hcbroker.stack.keycloak.KeycloakServer;
import fr.hcbroker.stack.pki.CardPki;
import fr.hcbroker.stack.psc.PscStandIn;
import fr.hcbroker.stack.psc.PscWallet;
import fr.hcbroker.stack.pki.ServerTls;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The whole hc-broker stack on one machine: Keycloak with our providers (the hospiconnect realm and
 * the Pro Santé Connect stand-in realm), the demo legacy app, and the gateway in front of it.
 * Used by the README's main command and, with free ports, by the end-to-end tests.
 */
public final class Stack implements AutoCloseable {

    public static final String PSC_CLIENT_ID = "hospiconnect-broker";
    public static final String GATEWAY_CLIENT_ID = "hc-gateway";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUDIT_DIR_VARIABLE = "KC_SPI_EVENTS_LISTENER__HC_AUDIT__DIR";

    private final StackSettings settings;
    private final String gatewayClientSecret = randomSecret();
    private final String pscClientSecret = randomSecret();
    /** What the stand-in's wallet host adds to the authorization requests it passes on. */
    private final String pscWalletKey = randomSecret();
    private KeycloakServer keycloak;
    private Vertx vertx;
    private DemoLegacyApp demoApp;
    private PscWallet pscWallet;
    private CardPki cards;
    private Process gateway;
    private Path accountsFile;
    private List<Path> keycloakImports;
    private KeycloakOptions.Tls keycloakTls;
    private ServerTls serverTls;
    private CardProxy cardProxy;

    public Stack(StackSettings settings) {
        this.settings = settings;
    }

    public void start() {
        settings.ports().requireAvailable();
        List<Path> realmFiles = validRealmFiles();
        Path work = settings.workDir().toAbsolutePath();
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new StackException("cannot create " + work + ": " + e.getMessage(), e);
        }
        ServerTls tls = ServerTls.generate(work.resolve("tls"));
        serverTls = tls;
        cards = CardPki.start(work.resolve("cps"));
        Path trustStore = ServerTls.trustStore(work.resolve("tls/client-anchors.p12"),
                Stream.concat(Stream.of(tls.ca()), cards.clientAnchors().stream()).toList());

        List<Path> imports = new ArrayList<>(realmFiles);
        imports.add(DemoAccounts.writeUsersFile(work.resolve("import"), DemoProfessional.ALL));
        imports.add(PscStandIn.writeUsersFile(work.resolve("import"), DemoProfessional.ALL));
        accountsFile = DemoAccounts.writeAccountsFile(work.resolve("demo-accounts.md"), DemoProfessional.ALL,
                settings.adminUser(), settings.adminPassword(), publicKeycloakUrl(), gatewayUrl());
        PscStandIn.appendAccountsSection(accountsFile, DemoProfessional.ALL, publicKeycloakUrl());

        keycloakImports = List.copyOf(imports);
        keycloakTls = new KeycloakOptions.Tls(tls.keyStore(), ServerTls.PASSWORD, trustStore, ServerTls.PASSWORD);
        keycloak = keycloakNode(work.resolve("keycloak"), settings.ports().keycloakHttp(),
                settings.ports().keycloakDirectHttps(), settings.ports().keycloakManagement(), null);
        keycloak.start();
        cardProxy = CardProxy.start(work.resolve("card-proxy"), settings.ports().keycloakHttps(),
                settings.ports().keycloakDirectHttps(), tls, cards.pki().rootsPem());

        vertx = Vertx.vertx();
        demoApp = new DemoLegacyApp(vertx);
        try {
            demoApp.start("127.0.0.1", settings.ports().demoApp()).await();
        } catch (Exception e) {
            throw new StackException("demo app cannot listen on " + settings.ports().demoApp() + ": " + e.getMessage(), e);
        }
        try {
            pscWallet = PscWallet.start(vertx, settings.ports().keycloakHttp(), PscStandIn.issuer(publicKeycloakUrl()),
                    pscWalletKey);
        } catch (Exception e) {
            throw new StackException("the PSC stand-in's wallet host cannot listen on " + PscWallet.HOST + ":"
                    + settings.ports().keycloakHttp() + ": " + e.getMessage(), e);
        }
        settings.gatewayJar().ifPresent(jar -> startGateway(jar, work));
    }

    /**
     * A Keycloak server set up like this stack's own (realms, users, TLS, card PKI, PSC stand-in),
     * not started: with {@code cluster} set, a node of a PostgreSQL-backed cluster.
     */
    public KeycloakServer keycloakNode(Path home, int http, int https, int management, KeycloakOptions.Cluster cluster) {
        Map<String, String> environment = keycloakEnvironment(settings.workDir().toAbsolutePath());
        if (cluster != null) {
            // Each node keeps its own hash-chained audit files: two writers must never share one chain.
            environment.put(AUDIT_DIR_VARIABLE, home.resolveSibling(home.getFileName() + "-audit").toString());
        }
        return new KeycloakServer(new KeycloakOptions(settings.keycloakDistribution().toAbsolutePath(), home,
                http, https, management, settings.adminUser(), settings.adminPassword(), keycloakTls, keycloakImports,
                environment, cluster));
    }

    private Map<String, String> keycloakEnvironment(Path work) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HC_KEYCLOAK_URL", publicKeycloakUrl());
        env.put("HC_KEYCLOAK_HTTPS_URL", keycloakHttpsUrl());
        env.put("HC_GATEWAY_URL", gatewayUrl());
        env.put("HC_GATEWAY_CLIENT_SECRET", gatewayClientSecret);
        env.put("HC_PSC_CLIENT_ID", PSC_CLIENT_ID);
        env.put("HC_PSC_CLIENT_SECRET", pscClientSecret);
        env.putAll(cards.environment());
        env.putAll(PscStandIn.environment(publicKeycloakUrl()));
        env.putAll(PscWallet.keycloakEnvironment(settings.ports().keycloakHttp(), pscWalletKey));
        env.put(AUDIT_DIR_VARIABLE, work.resolve("audit").toString());
        // Card certificates forwarded in a header are believed only from the card proxy's TLS connections.
        env.put("KC_SPI_X509CERT_LOOKUP__HC_CARD__PROXY_CERTIFICATES", serverTls.proxyCertificatePem().toString());
        if (settings.publicHttps()) {
            // Keycloak's hostname options: every URL it gives a browser (pages, forms, redirects, the
            // tokens' issuer) is the card proxy's; a request on its own ports from this machine (the
            // gateway's token, key and logout calls) is answered with URLs of the port it came to.
            env.put("KC_HOSTNAME", keycloakHttpsUrl());
            env.put("KC_HOSTNAME_BACKCHANNEL_DYNAMIC", "true");
            // Keycloak reaches the PSC stand-in, itself, at that public URL: it trusts the test server CA.
            env.put("KC_TRUSTSTORE_PATHS", serverTls.caPem().toString());
        }
        return env;
    }

    /** Every realm file must parse before Keycloak is started: its own error would be far down a log. */
    private List<Path> validRealmFiles() {
        Path dir = settings.realmsDir();
        if (!Files.isDirectory(dir)) {
            throw new StackException("realm folder " + dir + " does not exist");
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith("-realm.json")).sorted().toList();
        } catch (IOException e) {
            throw new StackException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new StackException("no *-realm.json file in " + dir);
        }
        for (Path file : files) {
            try {
                JsonNode realm = JSON.readTree(file.toFile());
                String expected = file.getFileName().toString().replace("-realm.json", "");
                if (realm == null || !expected.equals(realm.path("realm").asText())) {
                    throw new StackException(file + ": the \"realm\" field must be \"" + expected + "\"");
                }
            } catch (JsonProcessingException e) {
                throw new StackException(file + ": invalid JSON at line " + e.getLocation().getLineNr()
                        + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new StackException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return files;
    }

    private void startGateway(Path jar, Path work) {
        Path config = work.resolve("gateway.yaml");
        Path log = work.resolve("gateway.log");
        try {
            Files.writeString(config, GatewayConfigFile.demo(settings.ports(), publicKeycloakUrl(),
                    settings.publicHttps() ? keycloakUrl() : null, gatewayUrl(), work.resolve("audit")));
            ProcessBuilder builder = new ProcessBuilder(javaExecutable(), "-jar", jar.toAbsolutePath().toString(),
                    "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            // The secret goes through the environment, never into the file.
            builder.environment().put(GatewayConfigFile.SECRET_VARIABLE, gatewayClientSecret);
            gateway = builder.start();
        } catch (IOException e) {
            throw new StackException("cannot start the gateway (" + jar + "): " + e.getMessage(), e);
        }
        awaitHttpOk(URI.create(gatewayUrl() + "/healthz"), gateway, log, "gateway");
    }

    private static void awaitHttpOk(URI uri, Process process, Path log, String what) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new StackException(what + " exited with status " + process.exitValue() + " (log: " + log + ")");
            }
            try {
                if (http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for " + what);
            }
        }
        throw new StackException(what + " did not answer " + uri + " within 60 s (log: " + log + ")");
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Keycloak's own http port. With {@link StackSettings#publicHttps()} it is the back channel (the
     * gateway's and the admin API's calls), not a URL for people.
     */
    public String keycloakUrl() {
        return "http://localhost:" + settings.ports().keycloakHttp();
    }

    /** The URL people's browsers use for Keycloak, also the realms' issuers. */
    public String publicKeycloakUrl() {
        return settings.publicHttps() ? keycloakHttpsUrl() : keycloakUrl();
    }

    /** Keycloak's https as people reach it: through the card proxy. */
    public String keycloakHttpsUrl() {
        return "https://localhost:" + settings.ports().keycloakHttps();
    }

    /** Keycloak's own https port (direct TLS client authentication, behind the card proxy). */
    public String keycloakDirectHttpsUrl() {
        return "https://localhost:" + settings.ports().keycloakDirectHttps();
    }

    public String gatewayUrl() {
        return "http://localhost:" + settings.ports().gateway();
    }

    public String demoAppUrl() {
        return "http://127.0.0.1:" + settings.ports().demoApp();
    }

    public String gatewayClientSecret() {
        return gatewayClientSecret;
    }

    public String pscClientSecret() {
        return pscClientSecret;
    }

    public Path accountsFile() {
        return accountsFile;
    }

    /** The test CA of Keycloak's and the card proxy's server certificates (PEM), for browsers to trust. */
    public Path serverCaPem() {
        return serverTls.caPem();
    }

        /** nginx terminating card holders' TLS in front of Keycloak's https port. */
    public CardProxy cardProxy() {
        return cardProxy;
    }

    public KeycloakServer keycloak() {
        return keycloak;
    }

    /** The CPS test PKI: demo cards, OCSP responder and CRLs. */
    public CardPki cards() {
        return cards;
    }

    public StackSettings settings() {
        return settings;
    }

    /** Stops everything this stack started, gateway first so no request reaches a stopping Keycloak. */
    @Override
    public void close() {
        if (cards != null) {
            cards.close();
            cards = null;
        }
        if (gateway != null) {
            gateway.destroy();
            try {
                if (!gateway.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    gateway.destroyForcibly();
                }
            } catch (InterruptedException e) {
                gateway.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            gateway = null;
        }
        if (pscWallet != null) {
            pscWallet.close();
            pscWallet = null;
        }
        if (vertx != null) {
            vertx.close().await();
            vertx = null;
        }
        if (cardProxy != null) {
            cardProxy.close();
            cardProxy = null;
        }
        if (keycloak != null) {
            keycloak.stop();
            keycloak = null;
        }
    }
}
