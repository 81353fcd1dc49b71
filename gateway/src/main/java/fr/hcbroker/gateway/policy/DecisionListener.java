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

    /** Both listeners; the result completes when both have. */
    default DecisionListener and(DecisionListener other) {
        return event -> {
            Future<Void> first = decided(event);
            Future<Void> second = other.decided(event);
            // Allowed requests: both are already done; composing them would allocate for nothing.
            if (first.succeeded() && second.succeeded()) {
                return first;
            }
            return Future.all(first, second).mapEmpty();
        };
    }
}
