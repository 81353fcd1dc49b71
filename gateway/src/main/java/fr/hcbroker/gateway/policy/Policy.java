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
        if (!session.level().atLeast(route.minLevel())) {
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
