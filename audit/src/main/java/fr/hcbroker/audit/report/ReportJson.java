package fr.hcbroker.audit.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The report as JSON, for a SIEM, a spreadsheet's import or another tool: every figure the HTML shows. */
public final class ReportJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {
    }

    public static String render(ComplianceReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("from", r.from().toString()).put("to", r.to().toString()).put("generated", r.generated().toString());
        root.put("intact", r.intact());
        ArrayNode files = root.putArray("files");
        r.files().forEach(f -> files.addObject().put("file", f.file()).put("status", f.status().name().toLowerCase())
                .put("records", f.records()).put("message", f.message()));
        ArrayNode breaks = root.putArray("breaks");
        r.breaks().forEach(breaks::add);
        root.put("recordsInPeriod", r.recordsInPeriod());
        ArrayNode apps = root.putArray("apps");
        for (ComplianceReport.AppRow a : r.apps()) {
            ObjectNode app = apps.addObject().put("kind", a.kind()).put("app", a.app()).put("accesses", a.accesses())
                    .put("people", a.people());
            ObjectNode levels = app.putObject("byLevel");
            for (int i = 0; i < Tally.LEVELS.length; i++) {
                levels.putObject(Tally.LEVELS[i]).put("accesses", a.levelAccesses()[i]).put("people", a.levelPeople()[i]);
            }
            ObjectNode means = app.putObject("byMeans");
            for (Means m : Means.values()) {
                means.putObject(m.id()).put("accesses", a.meansAccesses().get(m)).put("people", a.meansPeople().get(m));
            }
        }
        ObjectNode people = root.putObject("people");
        ObjectNode factors = people.putObject("byStrongestFactor");
        r.peopleByStrongestFactor().forEach((f, n) -> factors.put(f.id(), n));
        people.put("realmFactsGiven", r.realmGiven());
        ArrayNode alone = people.putArray("passwordAlone");
        r.passwordAlone().forEach(alone::add);
        ArrayNode below = root.putArray("belowEidas2");
        r.belowFloor().forEach(b -> below.addObject().put("kind", b.kind()).put("app", b.app())
                .put("declaredMinimum", b.declaredMinimum()).put("accessesBelowEidas2", b.accessesBelow()));
        ObjectNode emergency = root.putObject("emergency").put("accesses", r.emergencyAccesses())
                .put("reviewed", r.emergencyReviews()).put("awaitingReview", r.emergencyAwaitingReview());
        ObjectNode reasons = emergency.putObject("byReason");
        r.emergencyByReason().forEach(reasons::put);
        ObjectNode verdicts = emergency.putObject("byVerdict");
        r.emergencyVerdicts().forEach(verdicts::put);
        ObjectNode refused = emergency.putObject("refused");
        r.emergencyRefusals().forEach(refused::put);
        root.putObject("refusals").put("recorded", r.refusals().recorded()).put("summarised", r.refusals().summarised())
                .put("summaryRecords", r.refusals().summaryRecords()).put("total", r.refusals().total());
        ArrayNode weeks = root.putArray("weeklyTrend");
        r.weeks().forEach(w -> weeks.addObject().put("week", w.week()).put("accesses", w.accesses())
                .put("atEidas2OrAbove", w.atLeastSubstantial()).put("share", Math.round(w.share() * 10000) / 10000.0));
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
