package fr.hcbroker.e2e;

import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.StackPorts;
import fr.hcbroker.stack.StackSettings;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one real stack (Keycloak with our providers, the demo app, the gateway) per test run, on
 * free ports, shared by every test class that uses this extension; JUnit closes it at the end of the
 * run. Logs stay under {@code target/e2e-stack}.
 */
public final class StackExtension implements ParameterResolver {

    private static final String KEY = "hc-stack";

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Stack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return stack(context);
    }

    public static Stack stack(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KEY, k -> start(), RunningStack.class).stack();
    }

    private static RunningStack start() {
        deleteTree(Path.of(property("hc.work")));
        Stack stack = new Stack(new StackSettings(
                Path.of(property("hc.keycloak.dist")), Path.of(property("hc.realms")), Path.of(property("hc.work")),
                Optional.of(Path.of(property("hc.gateway.jar"))), StackPorts.free(), "admin", "admin-e2e"));
        try {
            stack.start();
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        return new RunningStack(stack);
    }

    /** Each run starts clean: audit files of an earlier run would join this run's chain. */
    private static void deleteTree(Path root) {
        if (!java.nio.file.Files.exists(root)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot clean " + root, e);
        }
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " is not set (run through Maven failsafe)");
        }
        return value;
    }

    /** Closed by JUnit when the root context closes, i.e. once at the end of the run. */
    private record RunningStack(Stack stack) implements AutoCloseable {
        @Override
        public void close() {
            stack.close();
        }
    }
}
