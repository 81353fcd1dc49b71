package fr.hcbroker.gateway.policy;

import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.session.Session;
import java.util.Collections;

/** Per-route access rules: login, level (step-up), roles, professions. Pure and synchronous. */
public final class Policy {

    private Policy() {
    }

    public static Decision decide(RouteConfig route, String path, Session session) {
        if (route.isPublic(path)) {
            return new Decision(Outcome.ALLOW, "public path");
        }
        if (session == null) {
            return new Decision(Outcome.LOGIN, "no session");
        }
        // An emergency session keeps its honest level (eidas1, no second factor to step up with): on a
        // route that takes it, that stands in for the route's level; roles and professions still apply.
        // Routes that do not take it never get here (Admission refuses first).
        boolean emergencyRoute = session.emergency() != null && route.emergency();
        if (!emergencyRoute && !session.level().atLeast(route.minLevel())) {
            return new Decision(Outcome.STEP_UP, "level " + session.level().acr() + " below " + route.minLevel().acr());
        }
        if (!route.requiredRoles().isEmpty() && Collections.disjoint(route.requiredRoles(), session.roles())) {
            return new Decision(Outcome.DENY, "missing role");
        }
        if (!route.professions().isEmpty() && Collections.disjoint(route.professions(), session.professions())) {
            return new Decision(Outcome.DENY, "profession not allowed");
        }
        return new Decision(Outcome.ALLOW, "policy satisfied");
    }
}
