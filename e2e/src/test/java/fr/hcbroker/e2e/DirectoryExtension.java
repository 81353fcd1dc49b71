package fr.hcbroker.e2e;

import fr.hcbroker.stack.directory.SambaDirectory;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one Samba AD domain controller per test run, shared by the classes that use this extension;
 * JUnit stops it at the end of the run. Its start time is printed (provisioning is most of it).
 */
public final class DirectoryExtension implements ParameterResolver {

    private static final String KEY = "hc-samba";

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SambaDirectory.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KEY, k -> start(), Running.class).directory();
    }

    private static Running start() {
        long started = System.nanoTime();
        SambaDirectory directory = SambaDirectory.start();
        System.out.printf("Samba AD domain controller ready in %.1f s%n", (System.nanoTime() - started) / 1e9);
        return new Running(directory);
    }

    private record Running(SambaDirectory directory) implements AutoCloseable {
        @Override
        public void close() {
            directory.close();
        }
    }
}
