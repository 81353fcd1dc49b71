package fr.hcbroker.audit.report;

import fr.hcbroker.audit.AuditChain;
import java.time.LocalDate;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The counts of one file's records in the period, kept apart until the file is known intact and
 * then added to the report's: a faulty file counts nothing. Memory grows with people, apps and
 * weeks, never with records.
 *
 * <p>An access is a gateway request allowed to a route ({@code access}/{@code allow}) or a Keycloak login
 * to a client ({@code login}/{@code success}; an emergency session's login carries {@code emergency_reason}
 * and counts under the emergency means). The emergency section counts what the emergency feature writes
 * (docs/fr/acces-urgence.md): each {@code emergency_access} granted or refused, by reason, and the
 * security officer's {@code emergency_review} records ({@code review_of} the access's session), kept
 * whatever their day, since an access is often reviewed after the period it falls in.
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

    /** As Keycloak's emergency step (EmergencyAlerts) and {@code audit review} (EmergencyReview) write them. */
    static final String EMERGENCY_ACCESS = "emergency_access", EMERGENCY_REVIEW = "emergency_review";

    /** Levels by index: 0 unknown, then eidas1..3. */
    static final String[] LEVELS = {"unknown", "eidas1", "eidas2", "eidas3"};

    private static final Means[] MEANS = Means.values();

    /**
     * Accesses and distinct people for one app, by level and by means: arrays by index, people as bits
     * by their number in the tally ({@link #personId}), the sets made only for the levels and means seen
     * (a record's count is a few array stores and three bit sets).
     */
    static final class AppCounts {
        long accesses;
        final BitSet people = new BitSet();
        final long[] levelAccesses = new long[LEVELS.length];
        final BitSet[] levelPeople = new BitSet[LEVELS.length];
        final long[] meansAccesses = new long[MEANS.length];
        final BitSet[] meansPeople = new BitSet[MEANS.length];

        /** {@code person} is a number from {@link #personId}, or -1 for an access nobody is named for. */
        void add(int level, Means means, int person) {
            accesses++;
            levelAccesses[level]++;
            meansAccesses[means.ordinal()]++;
            if (person >= 0) {
                people.set(person);
                set(levelPeople, level).set(person);
                set(meansPeople, means.ordinal()).set(person);
            }
        }

        /** Adds {@code o}'s counts, its people renumbered by {@code ids} (its number to ours). */
        void addAll(AppCounts o, int[] ids) {
            accesses += o.accesses;
            renumber(o.people, ids, people);
            for (int i = 0; i < LEVELS.length; i++) {
                levelAccesses[i] += o.levelAccesses[i];
                if (o.levelPeople[i] != null) {
                    renumber(o.levelPeople[i], ids, set(levelPeople, i));
                }
            }
            for (int i = 0; i < MEANS.length; i++) {
                meansAccesses[i] += o.meansAccesses[i];
                if (o.meansPeople[i] != null) {
                    renumber(o.meansPeople[i], ids, set(meansPeople, i));
                }
            }
        }

        int people() {
            return people.cardinality();
        }

        int levelPeople(int level) {
            return levelPeople[level] == null ? 0 : levelPeople[level].cardinality();
        }

        int meansPeople(Means means) {
            return meansPeople[means.ordinal()] == null ? 0 : meansPeople[means.ordinal()].cardinality();
        }

        private static BitSet set(BitSet[] sets, int i) {
            BitSet s = sets[i];
            if (s == null) {
                s = new BitSet();
                sets[i] = s;
            }
            return s;
        }
    }

    private static void renumber(BitSet from, int[] ids, BitSet to) {
        for (int i = from.nextSetBit(0); i >= 0; i = from.nextSetBit(i + 1)) {
            to.set(ids[i]);
        }
    }

    private final String fromDay;
    private final String toDay;

    /** By id, one map per kind: no key object made per record; {@link #apps()} sorts them for the report. */
    private final Map<String, AppCounts> routes = new HashMap<>();
    private final Map<String, AppCounts> clients = new HashMap<>();
    /**
     * The people named, numbered in the order first seen: a year's counts hold each person's name once,
     * and a record adds bits rather than names to several sets (merging a day into the year renumbers).
     */
    private final Map<String, Integer> personIds = new HashMap<>();
    private final List<String> persons = new ArrayList<>();
    /** The strongest factor each person (by number) was seen using; null where none was. */
    private Factor[] shown = new Factor[64];
    private final BitSet passwordAlone = new BitSet();
    /** ISO week to {accesses, accesses at eidas2 or above}. */
    final Map<String, long[]> weeks = new TreeMap<>();
    long emergencyAccesses;
    /** Granted emergency accesses in the period: session to reason code. */
    final Map<String, String> emergencySessions = new HashMap<>();
    /** Refused emergency accesses in the period, by refusal (the record's reason). */
    final Map<String, Long> emergencyRefusals = new TreeMap<>();
    /** Every review read, of any day: the session reviewed to the last verdict read. */
    final Map<String, String> emergencyVerdicts = new HashMap<>();
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

    /** The day of the last record read and what it said: records come in time order, days change rarely. */
    private String lastDay = "";
    private boolean lastInPeriod;
    private long[] lastWeek;

    void add(AuditChain.Written record) {
        if (EMERGENCY_REVIEW.equals(record.event()) && "review".equals(record.source())) {
            String session = record.details().get("review_of");
            if (session != null) {
                emergencyVerdicts.put(session, or(record.details().get("review_verdict"), or(record.outcome(), "")));
            }
        }
        String ts = or(record.ts(), "");
        if (ts.length() < 10) {
            return;
        }
        if (!ts.regionMatches(0, lastDay, 0, 10)) {
            lastDay = ts.substring(0, 10);
            lastInPeriod = lastDay.compareTo(fromDay) >= 0 && lastDay.compareTo(toDay) <= 0;
            lastWeek = null;
        }
        if (!lastInPeriod) {
            return;
        }
        inPeriod++;
        String event = or(record.event(), "");
        String outcome = or(record.outcome(), "");
        Map<String, AppCounts> kind;
        String id;
        if (event.equals(EMERGENCY_ACCESS) && "keycloak".equals(record.source())) {
            if (outcome.equals("success")) {
                emergencyAccesses++;
                emergencySessions.put(or(record.session(), ""), or(record.details().get("emergency_reason"), "?"));
            } else {
                emergencyRefusals.merge(or(record.reason(), "?"), 1L, Long::sum);
            }
            // Not an app access: the session's login record, which follows it, is.
            return;
        } else if ("gateway".equals(record.source()) && outcome.equals("deny")) {
            if (event.equals("deny-summary")) {
                refusalSummaries++;
                refusalsSummarised += count(record.details().get("count"));
            } else {
                refusalsRecorded++;
            }
            return;
        } else if (event.equals("access") && outcome.equals("allow") && "gateway".equals(record.source())) {
            kind = routes;
            id = or(record.route(), "?");
        } else if (event.equals("login") && outcome.equals("success") && "keycloak".equals(record.source())) {
            kind = clients;
            id = or(record.details().get("client"), "?");
        } else {
            return;
        }
        int level = level(or(record.loa(), ""));
        Means means = Means.of(record);
        String name = person(record);
        int person = name == null ? -1 : personId(name);
        AppCounts counts = kind.get(id);
        if (counts == null) {
            counts = new AppCounts();
            kind.put(id, counts);
        }
        counts.add(level, means, person);
        if (person >= 0) {
            shown[person] = Factor.stronger(shown[person], Factor.shownBy(means));
            if (means == Means.PASSWORD) {
                passwordAlone.set(person);
            }
        }
        if (lastWeek == null) {
            lastWeek = weeks.computeIfAbsent(isoWeek(lastDay), w -> new long[2]);
        }
        long[] week = lastWeek;
        week[0]++;
        if (level >= 2) {
            week[1]++;
        }
    }

    void addAll(Tally o) {
        int[] ids = new int[o.persons.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = personId(o.persons.get(i));
            shown[ids[i]] = Factor.stronger(shown[ids[i]], o.shown[i]);
        }
        o.routes.forEach((a, c) -> routes.computeIfAbsent(a, x -> new AppCounts()).addAll(c, ids));
        o.clients.forEach((a, c) -> clients.computeIfAbsent(a, x -> new AppCounts()).addAll(c, ids));
        renumber(o.passwordAlone, ids, passwordAlone);
        o.weeks.forEach((w, n) -> {
            long[] mine = weeks.computeIfAbsent(w, x -> new long[2]);
            mine[0] += n[0];
            mine[1] += n[1];
        });
        emergencyAccesses += o.emergencyAccesses;
        emergencySessions.putAll(o.emergencySessions);
        o.emergencyRefusals.forEach((r, n) -> emergencyRefusals.merge(r, n, Long::sum));
        emergencyVerdicts.putAll(o.emergencyVerdicts);
        refusalsRecorded += o.refusalsRecorded;
        refusalsSummarised += o.refusalsSummarised;
        refusalSummaries += o.refusalSummaries;
        inPeriod += o.inPeriod;
    }

    /** Every app counted, routes and clients, in the report's order. */
    Map<App, AppCounts> apps() {
        Map<App, AppCounts> all = new TreeMap<>();
        routes.forEach((id, c) -> all.put(new App("route", id), c));
        clients.forEach((id, c) -> all.put(new App("client", id), c));
        return all;
    }

    /** The person's number, given on first sight. */
    private int personId(String name) {
        Integer id = personIds.get(name);
        if (id == null) {
            id = persons.size();
            personIds.put(name, id);
            persons.add(name);
            if (id == shown.length) {
                shown = Arrays.copyOf(shown, 2 * id);
            }
        }
        return id;
    }

    /** The strongest factor each person named was seen using. */
    Map<String, Factor> shown() {
        Map<String, Factor> byName = new HashMap<>();
        for (int i = 0; i < persons.size(); i++) {
            if (shown[i] != null) {
                byName.put(persons.get(i), shown[i]);
            }
        }
        return byName;
    }

    /** Who got in at least once with a password alone. */
    List<String> passwordAlone() {
        List<String> names = new ArrayList<>();
        for (int i = passwordAlone.nextSetBit(0); i >= 0; i = passwordAlone.nextSetBit(i + 1)) {
            names.add(persons.get(i));
        }
        return names;
    }

    /** The account name, else the idNat; null for an access nobody is named for. */
    private static String person(AuditChain.Written record) {
        String user = or(record.user(), "");
        if (!user.isEmpty()) {
            return user;
        }
        String idnat = or(record.idnat(), "");
        return idnat.isEmpty() ? null : idnat;
    }

    /** A field the record holds as null (JSON null) reads as {@code otherwise}. */
    /** A summary's count as written (digits); anything else counts nothing rather than failing the report. */
    private static long count(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String or(String value, String otherwise) {
        return value == null ? otherwise : value;
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
