package fr.hcbroker.stack.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.hcbroker.keycloak.cps.ChainValidator;
import fr.hcbroker.keycloak.cps.CpsConfig;
import fr.hcbroker.keycloak.cps.CpsRefusal;
import fr.hcbroker.keycloak.cps.CpsRefusedException;
import fr.hcbroker.keycloak.cps.RevocationChecker;
import fr.hcbroker.stack.pki.RevocationServer.OcspMode;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The cps-card validator pieces against the generated test PKI and its real OCSP/CRL server. */
class CpsCardValidationTest {

    @TempDir
    static Path dir;
    static RevocationServer server;
    static IgcSanteTestPki pki;

    @BeforeAll
    static void pki() {
        server = RevocationServer.start(0);
        pki = IgcSanteTestPki.generate(dir, server.ocspUrl(), server.crlBaseUrl());
        server.serve(pki);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void honest() {
        server.ocspMode(OcspMode.HONEST);
        server.crlAvailable(true);
    }

    static CpsConfig config(Map<String, String> overrides) {
        Map<String, String> map = new HashMap<>(Map.of(
                CpsConfig.TRUST_ANCHORS, pki.rootsPem().toString(),
                CpsConfig.INTERMEDIATES, pki.issuersPem().toString(),
                CpsConfig.POLICIES, IgcSanteTestPki.CARD_POLICY,
                CpsConfig.OCSP_URL, server.ocspUrl(),
                CpsConfig.CRL_URLS, server.crlBaseUrl() + "ACI-FO-PP.crl," + server.crlBaseUrl() + "ACI-EL-PP.crl",
                CpsConfig.TIMEOUT_MS, "2000"));
        map.putAll(overrides);
        return CpsConfig.from(map);
    }

    static X509Certificate[] presented(String card) {
        return pki.card(card).chain().toArray(X509Certificate[]::new);
    }

    @Nested
    @DisplayName("chain, usage and policy")
    class Chain {

        @ParameterizedTest(name = "card {0} is refused as {1}")
        @CsvSource({
                "expired, EXPIRED",
                "not-yet-valid, NOT_YET_VALID",
                "foreign-ca, UNTRUSTED_ISSUER",
                "wrong-key, ISSUER_SIGNATURE_MISMATCH",
                "no-client-auth, WRONG_KEY_USAGE",
                "wrong-policy, POLICY_NOT_ACCEPTED"})
        void refusesBadCards(String card, CpsRefusal expected) {
            ChainValidator validator = new ChainValidator(config(Map.of()));
            assertThatThrownBy(() -> validator.validate(presented(card), new Date()))
                    .isInstanceOfSatisfying(CpsRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(expected));
        }

        @Test
        void acceptsAGoodCardAndReturnsThePathUpToTheRoot() throws Exception {
            List<X509Certificate> path = new ChainValidator(config(Map.of())).validate(presented("dr.martin"), new Date());
            assertThat(path).hasSize(2);
            assertThat(path.get(1).getSubjectX500Principal().getName()).contains("AC IGC-SANTE FORT PERSONNES");
        }

        @Test
        void buildsThePathFromConfiguredIssuersWhenTheCardSendsOnlyItself() throws Exception {
            X509Certificate[] onlyCard = {pki.card("dr.martin").certificate()};
            assertThat(new ChainValidator(config(Map.of())).validate(onlyCard, new Date())).hasSize(2);
        }

        @Test
        void anEmptyPolicyListAcceptsAnyPolicy() {
            ChainValidator validator = new ChainValidator(config(Map.of(CpsConfig.POLICIES, "")));
            assertThatCode(() -> validator.validate(presented("wrong-policy"), new Date())).doesNotThrowAnyException();
        }
    }

    @Nested
    @DisplayName("revocation")
    class Revocation {

        void check(String card, CpsConfig config) throws CpsRefusedException {
            check(new RevocationChecker(Clock.systemUTC()), card, config);
        }

        void check(RevocationChecker checker, String card, CpsConfig config) throws CpsRefusedException {
            List<X509Certificate> chain = pki.card(card).chain();
            checker.check(chain.get(0), chain.get(1), config);
        }

        @ParameterizedTest(name = "a good card passes OCSP signed by {0}")
        @CsvSource({"dr.martin, delegated responder", "adeli-no-account, the CA itself"})
        void goodCardPasses(String card, String signer) {
            assertThatCode(() -> check(card, config(Map.of()))).doesNotThrowAnyException();
        }

        @ParameterizedTest(name = "revoked card {0} is refused by OCSP")
        @CsvSource({"revoked", "revoked-elementaire"})
        void revokedByOcsp(String card) {
            assertThatThrownBy(() -> check(card, config(Map.of())))
                    .isInstanceOfSatisfying(CpsRefusedException.class,
                            e -> assertThat(e).hasMessageContaining("OCSP").extracting(CpsRefusedException::refusal)
                                    .isEqualTo(CpsRefusal.REVOKED));
        }

        @Test
        void revokedByCrlWhenTheResponderIsDown() {
            server.ocspMode(OcspMode.DOWN);
            assertThatThrownBy(() -> check("revoked", config(Map.of())))
                    .isInstanceOfSatisfying(CpsRefusedException.class,
                            e -> assertThat(e).hasMessageContaining("CRL").extracting(CpsRefusedException::refusal)
                                    .isEqualTo(CpsRefusal.REVOKED));
        }

        @ParameterizedTest(name = "responder {0}: the revoked card is refused on the CRL")
        @EnumSource(value = OcspMode.class, names = {"DOWN", "TRY_LATER", "INTERNAL_ERROR"})
        void anUnreachableResponderFallsBackToTheCrl(OcspMode mode) {
            server.ocspMode(mode);
            assertThatThrownBy(() -> check("revoked", config(Map.of())))
                    .isInstanceOfSatisfying(CpsRefusedException.class,
                            e -> assertThat(e).hasMessageContaining("CRL").extracting(CpsRefusedException::refusal)
                                    .isEqualTo(CpsRefusal.REVOKED));
        }

        /** The configured CRLs are FORT's then ELEMENTAIRE's: the first one cached must not answer for the other CA. */
        @ParameterizedTest(name = "once {0} cached its CA''s CRL, {1} is refused on {2}")
        @CsvSource({"dr.martin, revoked-elementaire, ACI-EL-PP.crl", "adeli-no-account, revoked, ACI-FO-PP.crl"})
        void aCachedCrlAnswersOnlyForTheCaThatSignedIt(String first, String revoked, String crl) throws Exception {
            server.ocspMode(OcspMode.DOWN);
            RevocationChecker checker = new RevocationChecker(Clock.systemUTC());
            check(checker, first, config(Map.of()));
            assertThatThrownBy(() -> check(checker, revoked, config(Map.of())))
                    .isInstanceOfSatisfying(CpsRefusedException.class,
                            e -> assertThat(e).hasMessageContaining(crl).extracting(CpsRefusedException::refusal)
                                    .isEqualTo(CpsRefusal.REVOKED));
        }

        @Test
        void aGoodCardOfTheSecondCaPassesOnItsOwnCrlAfterTheFirstCasWasCached() throws Exception {
            server.ocspMode(OcspMode.DOWN);
            RevocationChecker checker = new RevocationChecker(Clock.systemUTC());
            check(checker, "dr.martin", config(Map.of()));
            assertThatCode(() -> check(checker, "adeli-no-account", config(Map.of()))).doesNotThrowAnyException();
        }

        @Test
        void goodCardPassesOnTheCrlWhenTheResponderIsDown() {
            server.ocspMode(OcspMode.DOWN);
            assertThatCode(() -> check("dr.martin", config(Map.of()))).doesNotThrowAnyException();
        }

        @Test
        void nothingAnsweringRefusesWhenFailClosed() {
            server.ocspMode(OcspMode.DOWN);
            server.crlAvailable(false);
            assertThatThrownBy(() -> check("dr.martin", config(Map.of())))
                    .isInstanceOfSatisfying(CpsRefusedException.class,
                            e -> assertThat(e.refusal()).isEqualTo(CpsRefusal.REVOCATION_UNAVAILABLE));
        }

        @Test
        void nothingAnsweringIsAcceptedOnlyWithTheFailOpenSwitch() {
            server.ocspMode(OcspMode.DOWN);
            server.crlAvailable(false);
            assertThatCode(() -> check("dr.martin", config(Map.of(CpsConfig.FAIL_OPEN, "true"))))
                    .doesNotThrowAnyException();
        }

        @ParameterizedTest(name = "OCSP answer {0} is refused, not passed to the CRL")
        @EnumSource(value = OcspMode.class,
                names = {"STALE", "WRONG_NONCE", "UNAUTHORIZED_SIGNER", "NOT_OCSP", "SUCCESSFUL_WITHOUT_ANSWER"})
        void badOcspAnswersAreRefused(OcspMode mode) {
            server.ocspMode(mode);
            assertThatThrownBy(() -> check("dr.martin", config(Map.of(CpsConfig.FAIL_OPEN, "true"))))
                    .isInstanceOfSatisfying(CpsRefusedException.class,
                            e -> assertThat(e.refusal()).isEqualTo(CpsRefusal.REVOCATION_RESPONSE_INVALID));
        }

        @Test
        void aGoodAnswerIsCachedUntilNextUpdate() throws Exception {
            RevocationChecker checker = new RevocationChecker(Clock.systemUTC());
            check(checker, "ph.nguyen", config(Map.of()));
            int asked = server.ocspRequests();
            check(checker, "ph.nguyen", config(Map.of()));
            assertThat(server.ocspRequests()).isEqualTo(asked);
            assertThat(checker.cached(pki.card("ph.nguyen").certificate())).isTrue();
        }

        @Test
        void aCachedGoodAnswerIsAskedAgainAfterItsNextUpdate() throws Exception {
            MovingClock clock = new MovingClock();
            RevocationChecker checker = new RevocationChecker(clock);
            check(checker, "inf.lefevre", config(Map.of()));
            int asked = server.ocspRequests();
            // Past the answer's nextUpdate (4 h at the test responder) yet within the 5-minute clock skew of a fresh one.
            clock.advance(java.time.Duration.ofHours(4).plusMinutes(1));
            assertThat(checker.cached(pki.card("inf.lefevre").certificate())).isFalse();
            check(checker, "inf.lefevre", config(Map.of()));
            assertThat(server.ocspRequests()).isEqualTo(asked + 1);
        }
    }
}

/** A clock tests can move forward, for cache expiry. */
final class MovingClock extends Clock {
    private java.time.Instant now = java.time.Instant.now();

    void advance(java.time.Duration by) {
        now = now.plus(by);
    }

    @Override
    public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
        return this;
    }

    @Override
    public java.time.Instant instant() {
        return now;
    }
}
