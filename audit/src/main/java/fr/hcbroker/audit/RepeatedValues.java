package fr.hcbroker.audit;

import java.util.function.Function;

/**
 * What the writer makes of a value (its cleaned form, its JSON), remembered by content for the fields
 * that take few distinct values in any deployment: a source, an event, an outcome, a reason, a level,
 * a route id, a method. The fields that name people (users, ids, sessions) are not kept here: they
 * vary with the people, and a cache of them would only be churned. Direct-mapped and lossy (a
 * collision recomputes); entries are immutable, so threads share the table without locks.
 */
final class RepeatedValues<V> {

    private record Entry<V>(String key, V value) {
    }

    /** Longer values are computed every time: a long one is rarely the same twice. */
    private static final int MAX_LENGTH = 128;
    private static final int SLOTS = 512;

    private final Function<String, V> compute;
    @SuppressWarnings("unchecked")
    private final Entry<V>[] table = new Entry[SLOTS];

    RepeatedValues(Function<String, V> compute) {
        this.compute = compute;
    }

    V get(String key) {
        if (key.length() > MAX_LENGTH) {
            return compute.apply(key);
        }
        int hash = key.hashCode();
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        Entry<V> entry = table[slot];
        if (entry != null && entry.key().equals(key)) {
            return entry.value();
        }
        V value = compute.apply(key);
        table[slot] = new Entry<>(key, value);
        return value;
    }
}
