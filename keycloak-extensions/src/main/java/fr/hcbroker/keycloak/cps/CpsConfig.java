package fr.hcbroker.keycloak.cps;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The authenticator's settings, read once from the admin-console map into immutable values.
 *
 * @param trustAnchors    IGC-Santé roots: the only certificates a card chain may end at
 * @param intermediates   IGC-Santé issuing CAs, for cards that send only their own certificate
 * @param acceptedPolicies certificate policy OIDs a card must carry one of (empty: any)
 * @param ocspUrl         the configured OCSP responder; absent: the card's AIA, read only after the chain is proven
 * @param crlUrls         configured CRLs; absent: the card's CRL distribution points, same rule
 * @param revocationFailOpen let a card in when no revocation answer can be had (off: fail closed)
 * @param createUsers     create the account from the certificate when no user has its idNat_PS
 * @param timeout         connect and read time limit for each OCSP or CRL fetch
 * @param maxAgeWithoutNextUpdate how old an OCSP answer or CRL without nextUpdate may be
 */
public record CpsConfig(List<X509Certificate> trustAnchors, List<X509Certificate> intermediates,
                        Set<String> acceptedPolicies, Optional<URI> ocspUrl, List<URI> crlUrls,
                        boolean revocationFailOpen, boolean createUsers, Duration timeout,
                        Duration maxAgeWithoutNextUpdate) {

    // Names without dots: the admin console's forms read a dot as a nested field and save such a
    // setting under a mangled name, leaving the real one unchanged.
    public static final String TRUST_ANCHORS = "cps-trust-anchors-file";
    public static final String INTERMEDIATES = "cps-intermediates-file";
    public static final String POLICIES = "cps-accepted-policies";
    public static final String OCSP_URL = "cps-ocsp-url";
    public static final String CRL_URLS = "cps-crl-urls";
    public static final String FAIL_OPEN = "cps-revocation-fail-open";
    public static final String CREATE_USERS = "cps-create-users";
    public static final String TIMEOUT_MS = "cps-revocation-timeout-ms";
    public static final String MAX_AGE_S = "cps-revocation-max-age-seconds";

    /** Each setting's earlier, dotted name, which realms and exports made before the rename still hold. */
    public static final Map<String, String> LEGACY_NAMES = Map.of(
            TRUST_ANCHORS, "cps.trust.anchors.file",
            INTERMEDIATES, "cps.intermediates.file",
            POLICIES, "cps.accepted.policies",
            OCSP_URL, "cps.ocsp.url",
            CRL_URLS, "cps.crl.urls",
            FAIL_OPEN, "cps.revocation.fail.open",
            CREATE_USERS, "cps.create.users",
            TIMEOUT_MS, "cps.revocation.timeout.ms",
            MAX_AGE_S, "cps.revocation.max.age.seconds");

    public CpsConfig {
        trustAnchors = List.copyOf(trustAnchors);
        intermediates = List.copyOf(intermediates);
        acceptedPolicies = Set.copyOf(acceptedPolicies);
        crlUrls = List.copyOf(crlUrls);
        if (trustAnchors.isEmpty()) {
            throw new IllegalArgumentException("no IGC-Santé trust anchor configured (" + TRUST_ANCHORS + ")");
        }
    }

    /**
     * The settings under their current names: a value stored under an earlier name is read under
     * the current one, unless the current name holds a value too (the newer write wins).
     */
    public static Map<String, String> migrated(Map<String, String> stored) {
        Map<String, String> map = new java.util.HashMap<>(stored);
        LEGACY_NAMES.forEach((name, legacy) -> {
            String value = map.remove(legacy);
            if (value != null) {
                map.putIfAbsent(name, value);
            }
        });
        return map;
    }

    /** True when {@code stored} holds a setting under an earlier name. */
    public static boolean holdsLegacyNames(Map<String, String> stored) {
        return LEGACY_NAMES.values().stream().anyMatch(stored::containsKey);
    }

    public static CpsConfig from(Map<String, String> stored) {
        Map<String, String> map = migrated(stored);
        String anchors = map.get(TRUST_ANCHORS);
        if (anchors == null || anchors.isBlank()) {
            throw new IllegalArgumentException("no IGC-Santé trust anchor configured (" + TRUST_ANCHORS + ")");
        }
        return new CpsConfig(readPem(anchors),
                Optional.ofNullable(map.get(INTERMEDIATES)).filter(s -> !s.isBlank()).map(CpsConfig::readPem)
                        .orElse(List.of()),
                words(map.get(POLICIES)).collect(Collectors.toSet()),
                Optional.ofNullable(map.get(OCSP_URL)).filter(s -> !s.isBlank()).map(URI::create),
                words(map.get(CRL_URLS)).map(URI::create).toList(),
                Boolean.parseBoolean(map.get(FAIL_OPEN)),
                Boolean.parseBoolean(map.get(CREATE_USERS)),
                Duration.ofMillis(Long.parseLong(map.getOrDefault(TIMEOUT_MS, "3000"))),
                Duration.ofSeconds(Long.parseLong(map.getOrDefault(MAX_AGE_S, "86400"))));
    }

    private static java.util.stream.Stream<String> words(String value) {
        return value == null ? java.util.stream.Stream.empty()
                : Arrays.stream(value.split("[\\s,#]+")).filter(s -> !s.isBlank());
    }

    private static List<X509Certificate> readPem(String file) {
        try {
            byte[] pem = Files.readAllBytes(Path.of(file.trim()));
            return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))
                    .stream().map(X509Certificate.class::cast).toList();
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
    }
}
