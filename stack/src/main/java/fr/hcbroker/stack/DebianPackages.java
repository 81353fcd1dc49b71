package fr.hcbroker.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Installs Debian packages a test or the demo needs, through the project's scripts/ensure-packages.sh. */
public final class DebianPackages {

    private DebianPackages() {
    }

    public static void ensure(String... packages) {
        List<String> command = new ArrayList<>(List.of(script().toString()));
        command.addAll(List.of(packages));
        try {
            Process process = new ProcessBuilder(command).inheritIO().start();
            if (process.waitFor() != 0) {
                throw new StackException("scripts/ensure-packages.sh " + String.join(" ", packages) + " failed");
            }
        } catch (IOException e) {
            throw new StackException("cannot run scripts/ensure-packages.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while installing " + String.join(" ", packages));
        }
    }

    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("scripts/ensure-packages.sh");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new StackException("scripts/ensure-packages.sh not found above " + Path.of("").toAbsolutePath());
    }
}
