package fr.hcbroker.stack.pki;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The test PKI's OCSP responder ({@code POST /ocsp}, RFC 6960, Bouncy Castle) and CRLs
 * ({@code GET /crl/<file>}), on the JDK's HTTP server. Tests switch it into misbehaving modes to
 * prove the authenticator refuses what a broken or hostile responder sends.
 */
public final class RevocationServer implements AutoCloseable {

    /** How the OCSP responder behaves. */
    public enum OcspMode {
        /** Correct answers, signed by the delegated responder (FORT) or the CA itself (ELEMENTAIRE). */
        HONEST,
        /** Answers whose nextUpdate has passed. */
        STALE,
        /** Answers carrying another request's nonce (a replay). */
        WRONG_NONCE,
        /** Answers signed by a key the CA never authorized. */
        UNAUTHORIZED_SIGNER,
        /** HTTP 200 with a body that is not an OCSP response (a captive portal's page, say). */
        NOT_OCSP,
        /** HTTP 200, status successful but no response inside. */
        SUCCESSFUL_WITHOUT_ANSWER,
        /** HTTP 503: the responder is unreachable. */
        DOWN,
        /** OCSP status tryLater (unsigned): the responder is overloaded. */
        TRY_LATER,
        /** OCSP status internalError (unsigned). */
        INTERNAL_ERROR
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpServer server;
    private volatile IgcSanteTestPki pki;
    private volatile OcspMode ocspMode = OcspMode.HONEST;
    private volatile boolean crlAvailable = true;
    private final AtomicInteger ocspRequests = new AtomicInteger();

    private RevocationServer(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code port} (0: any free port) on 127.0.0.1; answers 503 until {@link #serve} is called. */
    public static RevocationServer start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            RevocationServer revocation = new RevocationServer(server);
            server.createContext("/ocsp", revocation::ocsp);
            server.createContext("/crl/", revocation::crl);
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "test-pki-revocation");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return revocation;
        } catch (IOException e) {
            throw new IllegalStateException("the test PKI revocation server cannot listen on port " + port, e);
        }
    }

    public void serve(IgcSanteTestPki pki) {
        this.pki = pki;
    }

    public String ocspUrl() {
        return baseUrl() + "/ocsp";
    }

    public String crlBaseUrl() {
        return baseUrl() + "/crl/";
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void ocspMode(OcspMode mode) {
        this.ocspMode = mode;
    }

    public void crlAvailable(boolean available) {
        this.crlAvailable = available;
    }

    /** OCSP requests received so far (shows whether an answer came from the authenticator's cache). */
    public int ocspRequests() {
        return ocspRequests.get();
    }

    private void ocsp(HttpExchange exchange) throws IOException {
        try (exchange) {
            ocspRequests.incrementAndGet();
            IgcSanteTestPki current = pki;
            if (current == null || ocspMode == OcspMode.DOWN || !"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(64 * 1024);
            }
            byte[] answer = answer(current, new OCSPReq(body));
            exchange.getResponseHeaders().set("Content-Type", "application/ocsp-response");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        } catch (OCSPException | OperatorCreationException | GeneralSecurityException | RuntimeException e) {
            exchange.sendResponseHeaders(400, -1);
        }
    }

    private byte[] answer(IgcSanteTestPki current, OCSPReq request)
            throws OCSPException, OperatorCreationException, GeneralSecurityException, IOException {
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
        switch (ocspMode) {
            case NOT_OCSP -> {
                return "<html><body>Please sign in to the network</body></html>".getBytes(StandardCharsets.UTF_8);
            }
            case SUCCESSFUL_WITHOUT_ANSWER -> {
                return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, null).getEncoded();
            }
            case TRY_LATER -> {
                return new OCSPRespBuilder().build(OCSPRespBuilder.TRY_LATER, null).getEncoded();
            }
            case INTERNAL_ERROR -> {
                return new OCSPRespBuilder().build(OCSPRespBuilder.INTERNAL_ERROR, null).getEncoded();
            }
            default -> {
            }
        }
        Req[] requests = request.getRequestList();
        if (requests.length != 1) {
            return new OCSPRespBuilder().build(OCSPRespBuilder.MALFORMED_REQUEST, null).getEncoded();
        }
        CertificateID id = requests[0].getCertID();
        IgcSanteTestPki.Ca issuer = current.issuers().values().stream()
                .filter(ca -> matches(id, ca.certificate(), digests)).findFirst().orElse(null);
        IgcSanteTestPki.Ca signer = issuer == null ? current.ocspResponder()
                : issuer == current.issuer(IgcSanteTestPki.Issuer.FORT) ? current.ocspResponder() : issuer;
        if (ocspMode == OcspMode.UNAUTHORIZED_SIGNER) {
            signer = current.rogueResponder();
        }
        BasicOCSPRespBuilder builder = new JcaBasicOCSPRespBuilder(signer.certificate().getPublicKey(),
                digests.get(CertificateID.HASH_SHA1));
        Instant now = Instant.now();
        Date thisUpdate = Date.from(ocspMode == OcspMode.STALE ? now.minus(Duration.ofDays(3)) : now);
        Date nextUpdate = Date.from(ocspMode == OcspMode.STALE ? now.minus(Duration.ofDays(2)) : now.plus(Duration.ofHours(4)));
        BigInteger serial = id.getSerialNumber();
        CertificateStatus status = issuer == null ? new UnknownStatus()
                : current.isRevoked(serial) ? new RevokedStatus(Date.from(now.minus(Duration.ofDays(1))), CRLReason.keyCompromise)
                : CertificateStatus.GOOD;
        builder.addResponse(id, status, thisUpdate, nextUpdate, null);
        Extension nonce = request.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (nonce != null || ocspMode == OcspMode.WRONG_NONCE) {
            byte[] other = new byte[16];
            RANDOM.nextBytes(other);
            builder.setResponseExtensions(new Extensions(ocspMode == OcspMode.WRONG_NONCE
                    ? new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                            new DEROctetString(new DEROctetString(other).getEncoded()))
                    : nonce));
        }
        X509CertificateHolder[] chain = signer.certificate().equals(issuer == null ? null : issuer.certificate())
                ? null : new X509CertificateHolder[]{new JcaX509CertificateHolder(signer.certificate())};
        var basic = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.keys().getPrivate()),
                chain, new Date());
        OCSPResp resp = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic);
        return resp.getEncoded();
    }

    private static boolean matches(CertificateID id, X509Certificate ca, DigestCalculatorProvider digests) {
        try {
            return id.matchesIssuer(new JcaX509CertificateHolder(ca), digests);
        } catch (OCSPException | GeneralSecurityException e) {
            return false;
        }
    }

    private void crl(HttpExchange exchange) throws IOException {
        try (exchange) {
            IgcSanteTestPki current = pki;
            String file = exchange.getRequestURI().getPath().substring("/crl/".length());
            IgcSanteTestPki.Issuer issuer = java.util.Arrays.stream(IgcSanteTestPki.Issuer.values())
                    .filter(i -> i.crlFile().equals(file)).findFirst().orElse(null);
            if (current == null || !crlAvailable || issuer == null) {
                exchange.sendResponseHeaders(issuer == null && current != null ? 404 : 503, -1);
                return;
            }
            byte[] crl = crl(current, current.issuer(issuer));
            exchange.getResponseHeaders().set("Content-Type", "application/pkix-crl");
            exchange.sendResponseHeaders(200, crl.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(crl);
            }
        } catch (OperatorCreationException | GeneralSecurityException | RuntimeException e) {
            exchange.sendResponseHeaders(500, -1);
        }
    }

    /** A fresh CRL of {@code ca}, listing the revoked test cards (serials are unique across the PKI). */
    private static byte[] crl(IgcSanteTestPki current, IgcSanteTestPki.Ca ca)
            throws OperatorCreationException, GeneralSecurityException, IOException {
        Instant now = Instant.now();
        X509v2CRLBuilder builder = new X509v2CRLBuilder(ca.name(), Date.from(now));
        builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
        for (BigInteger serial : current.revokedSerials()) {
            builder.addCRLEntry(serial, Date.from(now.minus(Duration.ofDays(1))), CRLReason.keyCompromise);
        }
        return new JcaX509CRLConverter().getCRL(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keys().getPrivate()))).getEncoded();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
