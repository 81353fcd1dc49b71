package fr.hcbroker.audit.report;

import java.util.Map;

/**
 * The report as one CSV table (RFC 4180, UTF-8), one figure a row, so a spreadsheet can filter and
 * pivot it: {@code section,kind,app,dimension,value,accesses,people}. Text that a spreadsheet would
 * run as a formula (starting with {@code = + - @}, tab or CR) is prefixed with {@code '}.
 */
public final class ReportCsv {

    private ReportCsv() {
    }

    public static String render(ComplianceReport r) {
        StringBuilder out = new StringBuilder("section,kind,app,dimension,value,accesses,people\r\n");
        row(out, "period", "", "", "from", r.from().toString(), "", "");
        row(out, "period", "", "", "to", r.to().toString(), "", "");
        row(out, "integrity", "", "", "intact", String.valueOf(r.intact()), "", "");
        r.files().forEach(f -> row(out, "file", f.status().name().toLowerCase(), f.file(), "message", f.message(),
                String.valueOf(f.records()), ""));
        r.breaks().forEach(b -> row(out, "break", "", "", "message", b, "", ""));
        for (ComplianceReport.AppRow a : r.apps()) {
            row(out, "app", a.kind(), a.app(), "total", "", n(a.accesses()), n(a.people()));
            for (int i = 0; i < Tally.LEVELS.length; i++) {
                row(out, "app", a.kind(), a.app(), "level", Tally.LEVELS[i], n(a.levelAccesses()[i]), n(a.levelPeople()[i]));
            }
            for (Means m : Means.values()) {
                row(out, "app", a.kind(), a.app(), "means", m.id(), n(a.meansAccesses().get(m)), n(a.meansPeople().get(m)));
            }
        }
        for (Map.Entry<Factor, Integer> e : r.peopleByStrongestFactor().entrySet()) {
            row(out, "people", "", "", "strongest_factor", e.getKey().id(), "", n(e.getValue()));
        }
        r.passwordAlone().forEach(p -> row(out, "password_alone", "", "", "user", p, "", ""));
        r.belowFloor().forEach(b -> row(out, "below_eidas2", b.kind(), b.app(), "declared_minimum",
                b.declaredMinimum() == null ? "" : b.declaredMinimum(), n(b.accessesBelow()), ""));
        row(out, "emergency", "", "", "accesses", "", n(r.emergencyAccesses()), "");
        row(out, "emergency", "", "", "reviewed", "", n(r.emergencyReviews()), "");
        row(out, "emergency", "", "", "awaiting_review", "", n(r.emergencyAwaitingReview()), "");
        r.emergencyByReason().forEach((reason, n) -> row(out, "emergency", "", "", "reason", reason, n(n), ""));
        r.emergencyVerdicts().forEach((verdict, n) -> row(out, "emergency", "", "", "verdict", verdict, n(n), ""));
        r.emergencyRefusals().forEach((refusal, n) -> row(out, "emergency", "", "", "refused", refusal, n(n), ""));
        row(out, "refusals", "", "", "recorded", "", n(r.refusals().recorded()), "");
        row(out, "refusals", "", "", "summarised", "", n(r.refusals().summarised()), "");
        row(out, "refusals", "", "", "summary_records", "", n(r.refusals().summaryRecords()), "");
        r.weeks().forEach(w -> {
            row(out, "week", "", "", "accesses", w.week(), n(w.accesses()), "");
            row(out, "week", "", "", "at_eidas2_or_above", w.week(), n(w.atLeastSubstantial()), "");
        });
        return out.toString();
    }

    private static String n(long v) {
        return String.valueOf(v);
    }

    private static void row(StringBuilder out, String... cells) {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(cell(cells[i]));
        }
        out.append("\r\n");
    }

    static String cell(String value) {
        String v = value == null ? "" : value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            v = '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }
}
