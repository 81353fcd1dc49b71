package fr.hcbroker.audit.report;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as one self-contained HTML page: styles inline, charts drawn as inline SVG, nothing
 * loaded from elsewhere (a strict Content-Security-Policy in the page says so to the browser), and
 * printable. French unless English is asked for. Every value from the trail is escaped.
 */
public final class ReportHtml {

    private static final DateTimeFormatter GENERATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final ComplianceReport r;
    private final Lang lang;
    private final StringBuilder out = new StringBuilder(64 * 1024);

    private ReportHtml(ComplianceReport r, Lang lang) {
        this.r = r;
        this.lang = lang;
    }

    public static String render(ComplianceReport r, Lang lang) {
        return new ReportHtml(r, lang).page();
    }

    private String t(String fr, String en) {
        return lang == Lang.FR ? fr : en;
    }

    private String page() {
        out.append("<!DOCTYPE html>\n<html lang=\"").append(lang == Lang.FR ? "fr" : "en").append("\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
                .append("<title>").append(esc(t("Rapport de conformité de l'authentification", "Authentication compliance report")))
                .append(' ').append(r.from()).append(" – ").append(r.to()).append("</title><style>").append(CSS).append("</style></head><body>");
        out.append("<header><h1>").append(esc(t("Rapport de conformité de l'authentification", "Authentication compliance report")))
                .append("</h1><p>").append(esc(t("Période", "Period"))).append(" : <strong>").append(r.from()).append("</strong> – <strong>")
                .append(r.to()).append("</strong> (UTC). ").append(esc(t("Établi le", "Generated"))).append(' ')
                .append(GENERATED.format(r.generated())).append(".</p></header>");
        integrity();
        summary();
        apps();
        people();
        belowFloor();
        emergency();
        trend();
        files();
        out.append("</body></html>\n");
        return out.toString();
    }

    /** First on the page: whether the figures stand on intact files. */
    private void integrity() {
        if (r.intact()) {
            out.append("<section id=\"integrity\" class=\"ok\"><p>").append(esc(t(
                    "Intégrité : les " + r.files().size() + " fichiers du journal lus ont été vérifiés (chaîne et signatures) avant d'être comptés.",
                    "Integrity: the " + r.files().size() + " trail files read were verified (chain and signatures) before being counted.")))
                    .append("</p></section>");
            return;
        }
        out.append("<section id=\"integrity\" class=\"alert\"><h2>").append(esc(t("Attention : journal altéré ou incomplet",
                "Warning: trail altered or incomplete"))).append("</h2><p>").append(esc(t(
                "Les fichiers ci-dessous n'ont pas été comptés : les chiffres de ce rapport ne les incluent pas.",
                "The files below were not counted: the figures in this report leave them out."))).append("</p><ul>");
        r.files().stream().filter(f -> f.status() == ComplianceReport.Status.REJECTED)
                .forEach(f -> out.append("<li><strong>").append(esc(f.file())).append("</strong> : ").append(esc(f.message())).append("</li>"));
        r.breaks().forEach(b -> out.append("<li>").append(esc(t("Rupture de chaîne", "Chain break"))).append(" : ").append(esc(b)).append("</li>"));
        out.append("</ul></section>");
    }

    private void summary() {
        long accesses = 0;
        long strong = 0;
        for (ComplianceReport.AppRow a : r.apps()) {
            accesses += a.accesses();
            strong += a.atLeastSubstantial();
        }
        out.append("<section id=\"summary\"><h2>").append(esc(t("Synthèse", "Summary"))).append("</h2><dl>");
        dt(t("Accès et connexions comptés", "Accesses and logins counted"), String.valueOf(accesses));
        dt(t("Part au niveau eidas2 ou plus", "Share at eidas2 or above"), percent(accesses == 0 ? 0 : (double) strong / accesses));
        dt(t("Personnes connectées au moins une fois avec un mot de passe seul", "People who logged in at least once with a password alone"),
                String.valueOf(r.passwordAlone().size()));
        dt(t("Applications et clients admis sous eidas2", "Apps and clients allowed below eidas2"), String.valueOf(r.belowFloor().size()));
        dt(t("Accès d'urgence", "Emergency accesses"), String.valueOf(r.emergencyAccesses()));
        dt(t("Refus de la passerelle (un par un + résumés)", "Gateway refusals (one by one + summarised)"),
                r.refusals().total() + " (" + r.refusals().recorded() + " + " + r.refusals().summarised() + t(" dans ", " in ")
                        + r.refusals().summaryRecords() + t(" résumé(s))", " summary record(s))"));
        out.append("</dl></section>");
    }

    private void apps() {
        out.append("<section id=\"apps\"><h2>").append(esc(t("Par application", "By app"))).append("</h2><p class=\"note\">")
                .append(esc(t("Route : requêtes admises par la passerelle. Client : connexions Keycloak réussies. Chaque cellule : accès (personnes).",
                        "Route: requests the gateway allowed. Client: successful Keycloak logins. Each cell: accesses (people).")))
                .append("</p><table><thead><tr><th>").append(esc(t("Application", "App"))).append("</th><th>")
                .append(esc(t("Total", "Total"))).append("</th>");
        for (int i = 1; i < Tally.LEVELS.length; i++) {
            out.append("<th>").append(Tally.LEVELS[i]).append("</th>");
        }
        out.append("<th>").append(esc(t("Niveau inconnu", "Unknown level"))).append("</th>");
        for (Means m : Means.values()) {
            out.append("<th>").append(esc(m.label(lang))).append("</th>");
        }
        out.append("</tr></thead><tbody>");
        for (ComplianceReport.AppRow a : r.apps()) {
            out.append("<tr><th>").append(esc(a.app())).append(" <small>").append(esc(kind(a.kind()))).append("</small></th>");
            cell(a.accesses(), a.people());
            for (int i = 1; i < Tally.LEVELS.length; i++) {
                cell(a.levelAccesses()[i], a.levelPeople()[i]);
            }
            cell(a.levelAccesses()[0], a.levelPeople()[0]);
            for (Means m : Means.values()) {
                cell(a.meansAccesses().get(m), a.meansPeople().get(m));
            }
            out.append("</tr>");
        }
        if (r.apps().isEmpty()) {
            out.append("<tr><td colspan=\"").append(5 + Means.values().length).append("\">")
                    .append(esc(t("Aucun accès sur la période.", "No access in the period."))).append("</td></tr>");
        }
        out.append("</tbody></table></section>");
    }

    private void people() {
        Map<Factor, Integer> factors = r.peopleByStrongestFactor();
        out.append("<section id=\"people\"><h2>").append(esc(t("Personnes par facteur le plus fort détenu",
                "People by the strongest factor they own"))).append("</h2>");
        if (!r.realmGiven()) {
            out.append("<p class=\"note\">").append(esc(t("Sans export du royaume (--realm), seuls les facteurs vus utilisés dans le journal sont connus.",
                    "Without a realm export (--realm), only the factors seen in use in the trail are known."))).append("</p>");
        }
        List<Map.Entry<String, Long>> bars = factors.entrySet().stream()
                .map(e -> Map.entry(e.getKey().label(lang), (long) e.getValue())).toList();
        barChart(bars, t("Personnes", "People"));
        out.append("<table><thead><tr><th>").append(esc(t("Facteur", "Factor"))).append("</th><th>")
                .append(esc(t("Personnes", "People"))).append("</th></tr></thead><tbody>");
        factors.forEach((f, n) -> out.append("<tr><td>").append(esc(f.label(lang))).append("</td><td class=\"n\">").append(n).append("</td></tr>"));
        out.append("</tbody></table><h3>").append(esc(t("Connectés avec un mot de passe seul", "Logged in with a password alone")))
                .append(" (").append(r.passwordAlone().size()).append(")</h3>");
        if (r.passwordAlone().isEmpty()) {
            out.append("<p>").append(esc(t("Personne.", "Nobody."))).append("</p>");
        } else {
            out.append("<ul class=\"names\">");
            r.passwordAlone().forEach(p -> out.append("<li>").append(esc(p)).append("</li>"));
            out.append("</ul>");
        }
        out.append("</section>");
    }

    private void belowFloor() {
        out.append("<section id=\"below\"><h2>").append(esc(t("Applications et clients admis sous eidas2", "Apps and clients allowed below eidas2")))
                .append("</h2><table><thead><tr><th>").append(esc(t("Application", "App"))).append("</th><th>")
                .append(esc(t("Minimum déclaré", "Declared minimum"))).append("</th><th>")
                .append(esc(t("Accès sous eidas2 sur la période", "Accesses below eidas2 in the period"))).append("</th></tr></thead><tbody>");
        for (ComplianceReport.BelowFloor b : r.belowFloor()) {
            out.append("<tr><td>").append(esc(b.app())).append(" <small>").append(esc(kind(b.kind()))).append("</small></td><td>")
                    .append(esc(b.declaredMinimum() == null ? t("non déclaré (constaté dans le journal)", "not declared (seen in the trail)")
                            : b.declaredMinimum())).append("</td><td class=\"n\">").append(b.accessesBelow()).append("</td></tr>");
        }
        if (r.belowFloor().isEmpty()) {
            out.append("<tr><td colspan=\"3\">").append(esc(t("Aucune.", "None."))).append("</td></tr>");
        }
        out.append("</tbody></table></section>");
    }

    private void emergency() {
        out.append("<section id=\"emergency\"><h2>").append(esc(t("Accès d'urgence", "Emergency accesses"))).append("</h2><dl>");
        dt(t("Accès d'urgence", "Emergency accesses"), String.valueOf(r.emergencyAccesses()));
        dt(t("Revus", "Reviewed"), String.valueOf(r.emergencyReviews()));
        dt(t("En attente de revue", "Awaiting review"), String.valueOf(r.emergencyAwaitingReview()));
        r.emergencyVerdicts().forEach((verdict, n) -> dt(t("Verdict ", "Verdict ") + verdict, String.valueOf(n)));
        r.emergencyByReason().forEach((reason, n) -> dt(t("Motif ", "Reason ") + reason, String.valueOf(n)));
        r.emergencyRefusals().forEach((refusal, n) -> dt(t("Refusé : ", "Refused: ") + refusal, String.valueOf(n)));
        out.append("</dl></section>");
    }

    private void trend() {
        out.append("<section id=\"trend\"><h2>").append(esc(t("Évolution hebdomadaire de la part eidas2 ou plus",
                "Weekly share at eidas2 or above"))).append("</h2>");
        List<ComplianceReport.Week> weeks = r.weeks();
        if (!weeks.isEmpty()) {
            int w = 640;
            int h = 200;
            int step = Math.max(1, (w - 60) / Math.max(1, weeks.size()));
            out.append("<svg role=\"img\" aria-label=\"").append(esc(t("Part eidas2 ou plus par semaine", "Share at eidas2 or above by week")))
                    .append("\" width=\"").append(w).append("\" height=\"").append(h + 40).append("\" viewBox=\"0 0 ").append(w).append(' ')
                    .append(h + 40).append("\"><line x1=\"40\" y1=\"10\" x2=\"40\" y2=\"").append(h + 10)
                    .append("\" stroke=\"#333\"/><line x1=\"40\" y1=\"").append(h + 10).append("\" x2=\"").append(w).append("\" y2=\"")
                    .append(h + 10).append("\" stroke=\"#333\"/><text x=\"0\" y=\"16\">100 %</text><text x=\"12\" y=\"")
                    .append(h + 10).append("\">0 %</text>");
            for (int i = 0; i < weeks.size(); i++) {
                ComplianceReport.Week week = weeks.get(i);
                int bar = (int) Math.round(week.share() * h);
                int x = 44 + i * step;
                out.append("<rect x=\"").append(x).append("\" y=\"").append(h + 10 - bar).append("\" width=\"")
                        .append(Math.max(2, step - 4)).append("\" height=\"").append(bar).append("\" fill=\"#2a6f97\"><title>")
                        .append(esc(week.week())).append(" : ").append(percent(week.share())).append("</title></rect>");
                if (weeks.size() <= 26 || i % 4 == 0) {
                    out.append("<text x=\"").append(x).append("\" y=\"").append(h + 26).append("\" font-size=\"10\">")
                            .append(esc(week.week().substring(5))).append("</text>");
                }
            }
            out.append("</svg>");
        }
        out.append("<table><thead><tr><th>").append(esc(t("Semaine", "Week"))).append("</th><th>").append(esc(t("Accès", "Accesses")))
                .append("</th><th>").append(esc(t("eidas2 ou plus", "eidas2 or above"))).append("</th><th>").append(esc(t("Part", "Share")))
                .append("</th></tr></thead><tbody>");
        for (ComplianceReport.Week week : weeks) {
            out.append("<tr><td>").append(esc(week.week())).append("</td><td class=\"n\">").append(week.accesses())
                    .append("</td><td class=\"n\">").append(week.atLeastSubstantial()).append("</td><td class=\"n\">")
                    .append(percent(week.share())).append("</td></tr>");
        }
        out.append("</tbody></table></section>");
    }

    private void files() {
        out.append("<section id=\"files\"><h2>").append(esc(t("Fichiers lus et vérifiés", "Files read and verified")))
                .append("</h2><table><thead><tr><th>").append(esc(t("Fichier", "File"))).append("</th><th>")
                .append(esc(t("État", "Status"))).append("</th><th>").append(esc(t("Enregistrements", "Records"))).append("</th><th>")
                .append(esc(t("Vérification", "Verification"))).append("</th></tr></thead><tbody>");
        for (ComplianceReport.FileCheck f : r.files()) {
            out.append("<tr class=\"").append(f.status().name().toLowerCase(Locale.ROOT)).append("\"><td>").append(esc(f.file()))
                    .append("</td><td>").append(esc(status(f.status()))).append("</td><td class=\"n\">").append(f.records())
                    .append("</td><td>").append(esc(f.message())).append("</td></tr>");
        }
        out.append("</tbody></table></section>");
    }

    private void barChart(List<Map.Entry<String, Long>> bars, String unit) {
        long max = Math.max(1, bars.stream().mapToLong(Map.Entry::getValue).max().orElse(1));
        int rowH = 24;
        int w = 640;
        out.append("<svg role=\"img\" aria-label=\"").append(esc(unit)).append("\" width=\"").append(w).append("\" height=\"")
                .append(bars.size() * rowH + 4).append("\" viewBox=\"0 0 ").append(w).append(' ').append(bars.size() * rowH + 4).append("\">");
        for (int i = 0; i < bars.size(); i++) {
            long v = bars.get(i).getValue();
            int len = (int) Math.round(v * 360.0 / max);
            int y = i * rowH + 2;
            out.append("<text x=\"0\" y=\"").append(y + 15).append("\" font-size=\"12\">").append(esc(bars.get(i).getKey()))
                    .append("</text><rect x=\"200\" y=\"").append(y).append("\" width=\"").append(len).append("\" height=\"18\" fill=\"")
                    .append(i == 0 ? "#b5442c" : "#2a6f97").append("\"/><text x=\"").append(206 + len).append("\" y=\"").append(y + 15)
                    .append("\" font-size=\"12\">").append(v).append("</text>");
        }
        out.append("</svg>");
    }

    private void cell(long accesses, long people) {
        out.append("<td class=\"n\">").append(accesses).append(accesses == 0 ? "" : " <small>(" + people + ")</small>").append("</td>");
    }

    private void dt(String term, String value) {
        out.append("<dt>").append(esc(term)).append("</dt><dd>").append(esc(value)).append("</dd>");
    }

    private String kind(String kind) {
        return switch (kind) {
            case "route" -> t("route de la passerelle", "gateway route");
            case "client" -> t("client Keycloak", "Keycloak client");
            default -> t("royaume entier", "whole realm");
        };
    }

    private String status(ComplianceReport.Status s) {
        return switch (s) {
            case VERIFIED -> t("vérifié", "verified");
            case NOT_YET_PROVEN -> t("intact, fin pas encore signée", "intact, end not yet signed");
            case REJECTED -> t("REJETÉ, non compté", "REJECTED, not counted");
        };
    }

    private String percent(double share) {
        return String.format(lang == Lang.FR ? Locale.FRANCE : Locale.UK, "%.1f %%", share * 100);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em;color:#111;max-width:1200px}"
            + "h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:1.6em}"
            + "table{border-collapse:collapse;margin:.5em 0;font-size:.85em}th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}"
            + "td.n{text-align:right;white-space:nowrap}thead th{background:#eef}small{color:#555}"
            + "dl{display:grid;grid-template-columns:auto auto;gap:.2em 1em;justify-content:start}dd{margin:0;font-weight:bold}"
            + ".alert{border:3px solid #b00;background:#fee;padding:.5em 1em}.ok{border:1px solid #2a7;background:#efe;padding:.2em 1em}"
            + "tr.rejected td{background:#fdd}.note{color:#444;font-size:.9em}ul.names{columns:3}"
            + "#apps{overflow-x:auto}"
            + "@media print{body{margin:0;max-width:none}#apps{overflow:visible}section{page-break-inside:avoid}#integrity{page-break-after:avoid}"
            + "table{font-size:7pt}}";
}
