package fr.hcbroker.keycloak.psc;

import fr.hcbroker.loa.Amr;
import fr.hcbroker.loa.Level;
import java.util.List;
import java.util.Optional;

/**
 * The level a PSC login earns, or why it is refused, with the reason carried to the error page
 * and the event (DESIGN.md §2 and §3).
 */
public record PscLevelDecision(Optional<Level> level, List<Amr> amr, String reason) {

    static PscLevelDecision accept(Level level, List<Amr> amr) {
        return new PscLevelDecision(Optional.of(level), List.copyOf(amr), "accepted");
    }

    static PscLevelDecision refuse(String reason) {
        return new PscLevelDecision(Optional.empty(), List.of(), reason);
    }

    public boolean accepted() {
        return level.isPresent();
    }
}
