package fr.hcbroker.audit.report;

import static fr.hcbroker.audit.report.Trails.gateway;
import static fr.hcbroker.audit.report.Trails.keycloak;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.audit.CheckpointKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The compliance report")
class ComplianceReportTest {

    static final List<String> PWD = List.of("pwd");
    static final List<String> TOTP = List.of("pwd", "otp", "mfa");
    static final List<String> KEY = List.of("pwd", "hwk", "mfa");
    static final List<String> CARD = List.of("sc", "pin", "mfa");
    static final List<String> MOBILE = List.of("swk", "pin", "mfa");
    static final String PSC = "pro-sante-connect";
    static final LocalDate FROM = LocalDate.parse("2026-11-01");
    static final LocalDate TO = LocalDate.parse("2026-11-30");
    static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");

    @TempDir
    Path dir;
    Path keycloakFile;
    Path gatewayFile;
    Path realmExport;

    /** Week 47 (16-22 Nov) and week 48 (23-29 Nov) of 2026, and one record before the period. */
    @BeforeEach
    void knownTrails() throws Exception {
        keycloakFile = Trails.write(dir, "keycloak", "2026-11-23", List.of(
                keycloak("2026-10-01T09:00:00.000Z", "login", "success", "alice", "eidas2", TOTP, "hc-gateway", null),
                keycloak("2026-11-16T08:00:00.000Z", "login", "success", "alice", "eidas2", TOTP, "hc-gateway", null),
                keycloak("2026-11-16T08:05:00.000Z", "login", "success", "bob", "eidas1", PWD, "hc-gateway", null),
                keycloak("2026-11-23T08:00:00.000Z", "login", "success", "carol", "eidas3", CARD, "hc-gateway", null),
                keycloak("2026-11-23T08:01:00.000Z", "login", "success", "dave", "eidas3", CARD, "hc-gateway", PSC),
                keycloak("2026-11-23T08:02:00.000Z", "login", "success", "erin", "eidas2", MOBILE, "hc-gateway", PSC),
                keycloak("2026-11-23T08:03:00.000Z", "login_error", "failure", "frank", null, List.of(), "hc-gateway", null),
                keycloak("2026-11-24T08:00:00.000Z", "login", "success", "bob", "eidas1", PWD, "legacy-lowered", null),
                keycloak("2026-11-24T09:00:00.000Z", "admin-update", "success", "root", null, List.of(), "admin-cli", null)));
        gatewayFile = Trails.write(dir, "gateway", "2026-11-23", List.of(
                gateway("2026-11-17T10:00:00.000Z", "allow", "alice", "eidas2", TOTP, "demo-app"),
                gateway("2026-11-17T10:00:01.000Z", "allow", "alice", "eidas2", TOTP, "demo-app"),
                gateway("2026-11-22T23:59:59.999Z", "allow", "alice", "eidas2", TOTP, "demo-app"),
                gateway("2026-11-25T10:00:00.000Z", "allow", "bob", "eidas1", PWD, "pharmacy"),
                gateway("2026-11-25T10:00:02.000Z", "allow", "bob", "eidas1", PWD, "pharmacy"),
                gateway("2026-11-25T10:00:03.000Z", "deny", "carol", "eidas3", CARD, "pharmacy"),
                gateway("2026-11-26T10:00:00.000Z", "allow", "gina", "eidas2", KEY, "demo-app")));
        realmExport = dir.resolve("hospiconnect-realm.json");
        Files.writeString(realmExport, """
                {"realm": "hospiconnect", "attributes": {"hc.minimum.acr": "eidas2"},
                 "clients": [{"clientId": "hc-gateway", "attributes": {}},
                             {"clientId": "legacy-lowered", "attributes": {"minimum.acr.value": "eidas1"}}],
                 "users": [
                   {"username": "alice", "credentials": [{"type": "password"}, {"type": "otp"}]},
                   {"username": "bob", "credentials": [{"type": "password"}]},
                   {"username": "hank", "credentials": [{"type": "password"}, {"type": "webauthn"}]},
                   {"username": "erin", "federatedIdentities": [{"identityProvider": "pro-sante-connect", "userId": "x"}]}]}
                """);
    }

    PublicKey key() throws Exception {
        return CheckpointKeys.loadPublic(dir.resolve(CheckpointKeys.PUBLIC));
    }

    ComplianceReport report(List<Path> files) throws Exception {
        return ComplianceReport.build(files, key(), FROM, TO, RealmFacts.read(List.of(realmExport)), NOW);
    }

    static ComplianceReport.AppRow app(ComplianceReport r, String kind, String id) {
        return r.apps().stream().filter(a -> a.kind().equals(kind) && a.app().equals(id)).findFirst().orElseThrow();
    }

    @Nested
    @DisplayName("over intact trails")
    class Intact {

        @Test
        void countsEveryAppByLevelAndMeans() throws Exception {
            ComplianceReport r = report(List.of(gatewayFile, keycloakFile));
            assertThat(r.intact()).isTrue();
            assertThat(r.files()).extracting(ComplianceReport.FileCheck::status)
                    .containsOnly(ComplianceReport.Status.VERIFIED);
            assertThat(r.apps()).extracting(a -> a.kind() + ":" + a.app())
                    .containsExactly("client:hc-gateway", "client:legacy-lowered", "route:demo-app", "route:pharmacy");
            assertThat(r.recordsInPeriod()).isEqualTo(15);

            ComplianceReport.AppRow kc = app(r, "client", "hc-gateway");
            assertThat(kc.accesses()).isEqualTo(5);
            assertThat(kc.people()).isEqualTo(5);
            assertThat(kc.levelAccesses()).containsExactly(0, 1, 2, 2);
            assertThat(kc.levelPeople()).containsExactly(0, 1, 2, 2);
            assertThat(kc.meansAccesses()).containsEntry(Means.PASSWORD, 1L).containsEntry(Means.PASSWORD_TOTP, 1L)
                    .containsEntry(Means.CPS_CARD, 1L).containsEntry(Means.PSC_CARD, 1L).containsEntry(Means.PSC_MOBILE, 1L)
                    .containsEntry(Means.SECURITY_KEY, 0L).containsEntry(Means.DIRECTORY_SSO, 0L)
                    .containsEntry(Means.EMERGENCY, 0L).containsEntry(Means.UNKNOWN, 0L);

            ComplianceReport.AppRow demo = app(r, "route", "demo-app");
            assertThat(demo.accesses()).isEqualTo(4);
            assertThat(demo.people()).isEqualTo(2);
            assertThat(demo.levelAccesses()).containsExactly(0, 0, 4, 0);
            assertThat(demo.meansAccesses()).containsEntry(Means.PASSWORD_TOTP, 3L).containsEntry(Means.SECURITY_KEY, 1L);
            assertThat(demo.meansPeople()).containsEntry(Means.PASSWORD_TOTP, 1).containsEntry(Means.SECURITY_KEY, 1);

            ComplianceReport.AppRow pharmacy = app(r, "route", "pharmacy");
            assertThat(pharmacy.accesses()).as("the denial is not an access").isEqualTo(2);
            assertThat(pharmacy.people()).isEqualTo(1);
            assertThat(pharmacy.meansAccesses()).containsEntry(Means.PASSWORD, 2L);
            assertThat(app(r, "client", "legacy-lowered").levelAccesses()).containsExactly(0, 1, 0, 0);
        }

        @Test
        void countsPeopleByTheStrongestFactorOwnedOrUsed() throws Exception {
            ComplianceReport r = report(List.of(gatewayFile, keycloakFile));
            assertThat(r.peopleByStrongestFactor()).isEqualTo(Map.of(
                    Factor.NONE, 1, Factor.TOTP, 1, Factor.SECURITY_KEY, 2, Factor.CARD, 1, Factor.PSC, 2));
            assertThat(r.passwordAlone()).containsExactly("bob");
        }

        @Test
        void namesTheAppsAllowedBelowEidas2DeclaredOrSeen() throws Exception {
            ComplianceReport r = report(List.of(gatewayFile, keycloakFile));
            assertThat(r.belowFloor()).containsExactly(
                    new ComplianceReport.BelowFloor("client", "legacy-lowered", "eidas1", 1),
                    new ComplianceReport.BelowFloor("client", "hc-gateway", null, 1),
                    new ComplianceReport.BelowFloor("route", "pharmacy", null, 2));
        }

        @Test
        void givesTheWeeklyShareAtEidas2OrAbove() throws Exception {
            ComplianceReport r = report(List.of(keycloakFile, gatewayFile));
            assertThat(r.weeks()).containsExactly(new ComplianceReport.Week("2026-W47", 5, 4),
                    new ComplianceReport.Week("2026-W48", 7, 4));
            assertThat(r.emergencyAccesses()).isZero();
            assertThat(r.emergencyReviews()).isZero();
        }

        @Test
        void countsOnlyThePeriodGiven() throws Exception {
            ComplianceReport r = ComplianceReport.build(List.of(gatewayFile, keycloakFile), key(),
                    LocalDate.parse("2026-11-23"), LocalDate.parse("2026-11-29"), RealmFacts.NONE, NOW);
            assertThat(r.weeks()).containsExactly(new ComplianceReport.Week("2026-W48", 7, 4));
            assertThat(r.peopleByStrongestFactor()).as("without the realm, the factors seen in use")
                    .isEqualTo(Map.of(Factor.NONE, 1, Factor.TOTP, 0, Factor.SECURITY_KEY, 1,
                            Factor.CARD, 1, Factor.PSC, 2));
        }

        @Test
        void countsTheGatewaysRefusalsOneByOneAndSummarised() throws Exception {
            Path flood = Trails.write(dir, "gateway", "2026-11-27", List.of(
                    gateway("2026-11-27T10:00:00.000Z", "deny", null, null, List.of(), null),
                    new AuditRecord("2026-11-27T10:01:00.000Z", "gateway", "deny-summary", "deny",
                            "500 refusals summarised", null, null, null, null, null, null, null, null, null, "10.0.0.9", null,
                            Map.of("count", "500", "first", "2026-11-27T10:00:00.100Z", "last", "2026-11-27T10:00:59.900Z",
                                    "sample_paths", "/.hc/a /.hc/b", "reasons", "deny: unknown gateway path x500"))));
            ComplianceReport r = report(List.of(gatewayFile, keycloakFile, flood));
            assertThat(r.refusals()).isEqualTo(new ComplianceReport.Refusals(2, 500, 1));
            assertThat(new ObjectMapper().readTree(ReportJson.render(r)).at("/refusals/total").asLong()).isEqualTo(502);
            assertThat(ReportCsv.render(r)).contains("refusals,,,summarised,,500,\r\n");
            assertThat(ReportHtml.render(r, Lang.EN)).contains("502 (2 + 500 in 1 summary record(s))");
            assertThat(r.weeks()).as("refusals are not accesses").containsExactly(new ComplianceReport.Week("2026-W47", 5, 4),
                    new ComplianceReport.Week("2026-W48", 7, 4));
        }

        @Test
        void rendersTheSameFiguresAsJsonCsvAndHtml() throws Exception {
            ComplianceReport r = report(List.of(gatewayFile, keycloakFile));
            JsonNode json = new ObjectMapper().readTree(ReportJson.render(r));
            assertThat(json.path("intact").asBoolean()).isTrue();
            assertThat(json.at("/apps/0/byMeans/psc_card/accesses").asLong()).isEqualTo(1);
            assertThat(json.at("/people/byStrongestFactor/security_key").asInt()).isEqualTo(2);
            assertThat(json.at("/emergency/awaitingReview").asInt()).isZero();
            assertThat(json.at("/weeklyTrend/1/share").asDouble()).isEqualTo(0.5714);
            String csv = ReportCsv.render(r);
            assertThat(csv).contains("app,route,pharmacy,means,password,2,1\r\n", "people,,,strongest_factor,psc,,2\r\n",
                    "week,,,at_eidas2_or_above,2026-W47,4,\r\n", "password_alone,,,user,bob,,\r\n");
            String fr = ReportHtml.render(r, Lang.FR);
            assertThat(fr).startsWith("<!DOCTYPE html>\n<html lang=\"fr\">").contains("Rapport de conformité", "57,1 %", "<svg")
                    .doesNotContain("http://", "https://", "<script", "<link");
            assertThat(ReportHtml.render(r, Lang.EN)).contains("<html lang=\"en\">", "Authentication compliance report", "57.1 %");
        }
    }

    @Nested
    @DisplayName("over bad files: each named, not counted, the report still made")
    class BadFiles {

        /** The gateway file altered in a way the verifier must catch; the Keycloak file still counts. */
        @Test
        void anAlteredFileIsFlaggedOnTheFirstPage() throws Exception {
            List<String> lines = new ArrayList<>(Files.readAllLines(gatewayFile));
            lines.set(1, lines.get(1).replace("\"eidas2\"", "\"eidas3\""));
            Files.write(gatewayFile, lines);
            assertLeftOut(report(List.of(gatewayFile, keycloakFile)), "record altered");
        }

        @Test
        void aReorderedFile() throws Exception {
            List<String> lines = new ArrayList<>(Files.readAllLines(gatewayFile));
            lines.add(2, lines.remove(1));
            Files.write(gatewayFile, lines);
            assertLeftOut(report(List.of(gatewayFile, keycloakFile)), "removed, inserted or reordered");
        }

        @Test
        void aTruncatedFile() throws Exception {
            List<String> lines = Files.readAllLines(gatewayFile);
            Files.write(gatewayFile, lines.subList(0, 4));
            assertLeftOut(report(List.of(gatewayFile, keycloakFile)), "truncated");
        }

        @Test
        void aFileSignedByAnotherKey(@TempDir Path elsewhere) throws Exception {
            Path foreign = Trails.write(elsewhere, "gateway", "2026-11-23", List.of(
                    gateway("2026-11-17T10:00:00.000Z", "allow", "mallory", "eidas3", CARD, "demo-app")));
            Files.copy(foreign, gatewayFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(foreign.resolveSibling(foreign.getFileName() + ".checkpoints"),
                    gatewayFile.resolveSibling(gatewayFile.getFileName() + ".checkpoints"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertLeftOut(report(List.of(gatewayFile, keycloakFile)), "bad signature");
        }

        @Test
        void aFileThatIsNoTrail() throws Exception {
            Files.writeString(gatewayFile, "time,user\n2026-11-17,alice\n");
            assertLeftOut(report(List.of(gatewayFile, keycloakFile)), "not a record");
        }

        @Test
        void aMissingDayIsAChainBreakButTheIntactDaysCount() throws Exception {
            Path day24 = Trails.write(dir, "gateway", "2026-11-24", List.of(
                    gateway("2026-11-24T10:00:00.000Z", "allow", "alice", "eidas2", TOTP, "demo-app")));
            Path day25 = Trails.write(dir, "gateway", "2026-11-25", List.of(
                    gateway("2026-11-25T11:00:00.000Z", "allow", "alice", "eidas2", TOTP, "demo-app")));
            ComplianceReport whole = report(List.of(day25, gatewayFile, day24, keycloakFile));
            assertThat(whole.intact()).as(whole.breaks().toString()).isTrue();
            assertThat(app(whole, "route", "demo-app").accesses()).isEqualTo(6);

            ComplianceReport gap = report(List.of(gatewayFile, day25, keycloakFile));
            assertThat(gap.intact()).isFalse();
            assertThat(gap.breaks()).containsExactly(
                    "gateway-2026-11-25.jsonl does not continue the chain of gateway-2026-11-23.jsonl (a day missing, or files spliced)");
            assertThat(app(gap, "route", "demo-app").accesses()).isEqualTo(5);
            assertThat(ReportHtml.render(gap, Lang.FR)).contains("class=\"alert\"", "Rupture de chaîne");
        }

        private void assertLeftOut(ComplianceReport r, String why) {
            assertThat(r.intact()).isFalse();
            assertThat(r.files()).filteredOn(f -> f.status() == ComplianceReport.Status.REJECTED)
                    .singleElement().satisfies(f -> {
                        assertThat(f.file()).isEqualTo("gateway-2026-11-23.jsonl");
                        assertThat(f.message()).contains(why);
                    });
            assertThat(r.files()).filteredOn(f -> f.file().equals("keycloak-2026-11-23.jsonl"))
                    .singleElement().extracting(ComplianceReport.FileCheck::status).isEqualTo(ComplianceReport.Status.VERIFIED);
            assertThat(r.apps()).extracting(ComplianceReport.AppRow::kind).containsOnly("client");
            assertThat(app(r, "client", "hc-gateway").accesses()).isEqualTo(5);
            String html = ReportHtml.render(r, Lang.FR);
            int alert = html.indexOf("class=\"alert\"");
            assertThat(alert).as("flagged before any figure").isPositive().isLessThan(html.indexOf("id=\"summary\""));
            assertThat(html.substring(alert, html.indexOf("</section>", alert))).contains("gateway-2026-11-23.jsonl");
        }
    }

    @Test
    void textFromTheTrailIsEscapedInHtmlAndDefusedInCsv() throws Exception {
        Path file = Trails.write(dir, "hostile", "2026-11-23", List.<AuditRecord>of(
                gateway("2026-11-24T10:00:00.000Z", "allow", "<img src=x onerror=alert(1)>", "eidas1", PWD, "=HYPERLINK(\"x\")")));
        ComplianceReport r = report(List.of(file));
        assertThat(ReportHtml.render(r, Lang.EN)).doesNotContain("<img").contains("&lt;img src=x onerror=alert(1)&gt;");
        assertThat(ReportCsv.render(r)).contains("app,route,\"'=HYPERLINK(\"\"x\"\")\",total,,1,1").doesNotContain(",=HYPERLINK");
    }

    @Test
    void aRealmFileThatIsNotAnExportIsRefused() throws Exception {
        Path notExport = dir.resolve("x.json");
        Files.writeString(notExport, "{\"hello\": 1}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RealmFacts.read(List.of(notExport)))
                .hasMessageContaining("not a Keycloak realm export");
    }
}
