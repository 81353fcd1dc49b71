package fr.hcbroker.gateway.policy;

/**
 * A policy decision and its reason; the same reason reaches the log, the metrics and the person's page.
 *
 * @param outcome what happens
 * @param reason  why, in a few words (stable, for audit and dashboards)
 */
public record Decision(Outcome outcome, String reason) {
}
