package fr.hcbroker.gateway.policy;

import io.vertx.core.Future;

/**
 * Told of every decision (metrics, logs, the audit trail). Must not block: it runs on the event loop.
 * The future completes when the decision is recorded as the listener promises (durably, for the
 * audit trail); the gateway waits for it before answering an {@link DecisionEvent#urgent() urgent} one.
 */
@FunctionalInterface
public interface DecisionListener {

    Future<Void> decided(DecisionEvent event);

    /** False while this listener cannot record decisions (the audit trail's disk refuses them): /readyz says not ready. */
    default boolean recording() {
        return true;
    }

    /**
     * Whether an allowed request may be served now: false while its record cannot be written and the
     * establishment chose to refuse then ({@code audit.onWriteFailure: refuse}).
     */
    default boolean admitsUnrecorded() {
        return true;
    }

    /** A window's summarised refusals ({@link RefusalSummary}): recorded as one record. Ignored by default. */
    default Future<Void> summarised(RefusalSummary.Summary summary) {
        return Future.succeededFuture();
    }

    /** Both listeners; the result completes when both have. */
    default DecisionListener and(DecisionListener other) {
        DecisionListener one = this;
        return new DecisionListener() {
            @Override
            public Future<Void> decided(DecisionEvent event) {
                Future<Void> first = one.decided(event);
                Future<Void> second = other.decided(event);
                // Allowed requests: both are already done; composing them would allocate for nothing.
                if (first.succeeded() && second.succeeded()) {
                    return first;
                }
                return Future.all(first, second).mapEmpty();
            }

            @Override
            public Future<Void> summarised(RefusalSummary.Summary summary) {
                return Future.all(one.summarised(summary), other.summarised(summary)).mapEmpty();
            }

            @Override
            public boolean recording() {
                return one.recording() && other.recording();
            }

            @Override
            public boolean admitsUnrecorded() {
                return one.admitsUnrecorded() && other.admitsUnrecorded();
            }
        };
    }
}
