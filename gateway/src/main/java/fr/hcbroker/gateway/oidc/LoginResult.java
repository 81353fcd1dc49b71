package fr.hcbroker.gateway.oidc;

import fr.hcbroker.gateway.session.Session;

/** A completed login: the session to create. */
public record LoginResult(Session session) {
}
