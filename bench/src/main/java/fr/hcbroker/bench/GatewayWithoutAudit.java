package fr.hcbroker.bench;

import fr.hcbroker.gateway.GatewayMain;
import fr.hcbroker.gateway.config.ConfigLoader;
import java.nio.file.Path;

/**
 * The gateway with its audit trail left out, everything else as in production: started by the
 * harness only, side by side with the real gateway, to measure what the trail costs.
 */
public final class GatewayWithoutAudit {

    private GatewayWithoutAudit() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(GatewayMain.serve(ConfigLoader.load(Path.of(args[0]), System::getenv), false, null));
    }
}
