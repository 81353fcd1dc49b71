package fr.hcbroker.audit.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.temporal.IsoFields;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The counts of one file's records in the period, kept apart until the file is known intact and
 * then added to the report's: a faulty file counts nothing. Memory grows with people, apps and
 * weeks, never with records.
 *
 * <p>An access is a gateway request allowed to a route ({@code access}/{@code allow}), a Keycloak login
 * to a client ({@code login}/{@code success}) or an emergency access ({@code emergency-access}).
 */
final class Tally {

    /** An app as the report names it: a gateway route or a Keycloak client. */
    record App(String kind, String id) implements Comparable<App> {
        @Override
        public int compareTo(App o) {
            int k = kind.compareTo(o.kind);
            return k != 0 ? k : id.compareTo(o.id);
        }
    }

    /** Levels by index: 0 unknown, then eidas1..3. */
    static final String[] LEVELS = {"unknown", "eidas1", "eidas2", "eidas3"};

    /** Accesses and distinct people for one app, by level and by means. */
    static final class AppCounts {
        long accesses;
        final Set<String> people = new HashSet<>();
        final long[] levelAccesses = new long[LEVELS.length];
        final Map<Integer, Set<String>> levelPeople = new HashMap<>();
        final Map<Means, Long> meansAccesses = new EnumMap<>(Means.class);
        final Map<Means, Set<String>> meansPeople = new EnumMap<>(Means.class);

        void add(int level, Means means, String person) {
            accesses++;
            levelAccesses[level]++;
            meansAccesses.merge(means, 1L, Long::sum);
            if (person != null) {
                people.add(person);
                levelPeople.computeIfAbsent(level, l -> new HashSet<>()).add(person);
                meansPeople.computeIfAbsent(means, m -> new HashSet<>()).add(person);
            }
        }

        void addAll(AppCounts o) {
            accesses += o.accesses;
            people.addAll(o.people);
            for (int i = 0; i < LEVELS.length; i++) {
                levelAccesses[i] += o.levelAccesses[i];
            }
            o.levelPeople.forEach((l, s) -> levelPeople.computeIfAbsent(l, x -> new HashSet<>()).addAll(s));
            o.meansAccesses.forEach((m, n) -> meansAccesses.merge(m, n, Long::sum));
            o.meansPeople.forEach((m, s) -> meansPeople.computeIfAbsent(m, x -> new HashSet<>()).addAll(s));
        }
    }

    private final String fromDay;
    private final String toDay;
    private final Map<String, String> weekOfDay = new HashMap<>();

    final Map<App, AppCounts> apps = new TreeMap<>();
    /** The strongest factor each person was seen using. */
    final Map<String, Factor> shown = new HashMap<>();
    final Set<String> passwordAlone = new TreeSet<>();
    /** ISO week to {accesses, accesses at eidas2 or above}. */
    final Map<String, long[]> weeks = new TreeMap<>();
    long emergencyAccesses;
    long emergencyReviews;
    /** The gateway's refusals recorded one by one, those counted in summaries, and the summary records. */
    long refusalsRecorded;
    long refusalsSummarised;
    long refusalSummaries;
    long inPeriod;

    /** Counts records whose day (UTC) lies in [fromDay, toDay], both {@code yyyy-MM-dd}. */
    Tally(String fromDay, String toDay) {
        this.fromDay = fromDay;
        this.toDay = toDay;
    }

    void add(JsonNode record) {
        String ts = record.path("ts").asText("");
        if (ts.length() < 10) {
            return;
        }
        String day = ts.substring(0, 10);
        if (day.compareTo(fromDay) < 0 || day.compareTo(toDay) > 0) {
            return;
        }
        inPeriod++;
        String event = record.path("event").asText("");
        String outcome = record.path("outcome").asText("");
        App app;
        if (event.equals("emergency-review")) {
            emergencyReviews++;
            return;
        } else if ("gateway".equals(record.path("source").asText()) && outcome.equals("deny")) {
            if (event.equals("deny-summary")) {
                refusalSummaries++;
                refusalsSummarised += record.path("details").path("count").asLong(0);
            } else {
                refusalsRecorded++;
            }
            return;
        } else if (event.equals("emergency-access")) {
            emergencyAccesses++;
            app = app(record);
        } else if (event.equals("access") && outcome.equals("allow") && "gateway".equals(record.path("source").asText())) {
            app = new App("route", record.path("route").asText("?"));
        } else if (event.equals("login") && outcome.equals("success") && "keycloak".equals(record.path("source").asText())) {
            app = new App("client", record.path("details").path("client").asText("?"));
        } else {
            return;
        }
        int level = level(record.path("loa").asText(""));
        Means means = Means.of(record);
        String person = person(record);
        apps.computeIfAbsent(app, a -> new AppCounts()).add(level, means, person);
        if (person != null) {
            shown.merge(person, Factor.shownBy(means), Factor::stronger);
            if (means == Means.PASSWORD) {
                passwordAlone.add(person);
            }
        }
        long[] week = weeks.computeIfAbsent(weekOfDay.computeIfAbsent(day, Tally::isoWeek), w -> new long[2]);
        week[0]++;
        if (level >= 2) {
            week[1]++;
        }
    }

    void addAll(Tally o) {
        o.apps.forEach((a, c) -> apps.computeIfAbsent(a, x -> new AppCounts()).addAll(c));
        o.shown.forEach((p, f) -> shown.merge(p, f, Factor::stronger));
        passwordAlone.addAll(o.passwordAlone);
        o.weeks.forEach((w, n) -> {
            long[] mine = weeks.computeIfAbsent(w, x -> new long[2]);
            mine[0] += n[0];
            mine[1] += n[1];
        });
        emergencyAccesses += o.emergencyAccesses;
        emergencyReviews += o.emergencyReviews;
        refusalsRecorded += o.refusalsRecorded;
        refusalsSummarised += o.refusalsSummarised;
        refusalSummaries += o.refusalSummaries;
        inPeriod += o.inPeriod;
    }

    private static App app(JsonNode record) {
        String route = record.path("route").asText("");
        return route.isEmpty() ? new App("client", record.path("details").path("client").asText("?"))
                : new App("route", route);
    }

    /** The account name, else the idNat; null for an access nobody is named for. */
    private static String person(JsonNode record) {
        String user = record.path("user").asText("");
        if (!user.isEmpty()) {
            return user;
        }
        String idnat = record.path("idnat").asText("");
        return idnat.isEmpty() ? null : idnat;
    }

    static int level(String acr) {
        for (int i = 1; i < LEVELS.length; i++) {
            if (LEVELS[i].equals(acr)) {
                return i;
            }
        }
        return 0;
    }

    static String isoWeek(String day) {
        LocalDate date = LocalDate.parse(day);
        return String.format("%d-W%02d", date.get(IsoFields.WEEK_BASED_YEAR), date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }
}
