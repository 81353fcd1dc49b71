package fr.hcbroker.gateway.session;

import fr.hcbroker.gateway.config.GatewayConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.infinispan.remoting.transport.jgroups.AbstractJGroupsChannelConfigurator;
import org.jgroups.JChannel;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.jgroups.util.Util;

/**
 * The JGroups channel of a gateway cluster with a static member list: Infinispan's own TCP stack
 * with TCPPING in place of multicast discovery (multicast is rarely routed in hospital networks).
 * Built in code rather than from a file with system properties so that each node's address is its
 * own configuration, not the JVM's.
 */
final class ClusterChannel extends AbstractJGroupsChannelConfigurator {

    private final GatewayConfig.Cluster cluster;

    ClusterChannel(GatewayConfig.Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public String getName() {
        return "hc-tcp-static";
    }

    @Override
    public JChannel createChannel(String name) {
        return amendChannel(tcp(cluster));
    }

    @Override
    public String getProtocolStackString() {
        return getName();
    }

    @Override
    public List<ProtocolConfiguration> getProtocolStack() {
        return List.of();
    }

    /** AES-256 key from the shared secret (PBKDF2, salted with the cluster name). */
    private static SecretKey key(GatewayConfig.Cluster cluster) throws java.security.GeneralSecurityException {
        byte[] derived = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(new PBEKeySpec(
                cluster.secret().toCharArray(), ("hc-gateway-cluster:" + cluster.name()).getBytes(
                        java.nio.charset.StandardCharsets.UTF_8), 210_000, 256)).getEncoded();
        return new SecretKeySpec(derived, "AES");
    }

    private static JChannel tcp(GatewayConfig.Cluster cluster) {
        try {
            // JGroups' own resolution: a host name, an address, or a symbolic one such as SITE_LOCAL
            // or match-interface:eth.* (containers, whose address is known only at start).
            InetAddress bind = Util.getAddress(cluster.bindHost(), Util.getIpStackType());
            // A member whose name does not resolve yet (a container not started) is left out: it finds
            // this node itself when it starts, and discovery is mutual.
            List<InetSocketAddress> members = cluster.members().stream()
                    .map(m -> new InetSocketAddress(m.getHostString(), m.getPort()))
                    .filter(m -> {
                        if (m.isUnresolved()) {
                            System.err.println("hc-gateway: cluster member " + m.getHostString() + " does not resolve yet");
                        }
                        return !m.isUnresolved();
                    })
                    .toList();
            // As in Infinispan's own TCP stack: no Nagle (JGroups' default keeps it, and a session read
            // then waits up to 40 ms for a delayed ACK), and its transfer-queue bundler.
            Protocol transport = new TCP().setValue("bind_addr", bind).setValue("bind_port", cluster.bindPort())
                    .setValue("port_range", 0).setValue("tcp_nodelay", true).setValue("sock_conn_timeout", 300)
                    .setValue("bundler_type", "transfer-queue");
            return new JChannel(
                    transport,
                    new TCPPING().setInitialHosts(members).setPortRange(0),
                    new MERGE3(),
                    // A killed node's sockets close at once: FD_SOCK2 suspects it within milliseconds. Its port
                    // is the documented one (port + 50 000), not JGroups' default (+ 100 to + 103).
                    new FD_SOCK2().setValue("bind_addr", bind).setValue("offset", GatewayConfig.Cluster.FAILURE_DETECTION_OFFSET)
                            .setValue("port_range", 0),
                    new FD_ALL3(),
                    new VERIFY_SUSPECT2().setValue("timeout", 1000L),
                    // Everything above is encrypted with the nodes' shared key (random IV per message): a host
                    // without it cannot join, read sessions or write them.
                    new SYM_ENCRYPT().setSecretKey(key(cluster)).setValue("sym_algorithm", "AES/CBC/PKCS5Padding")
                            .setValue("sym_iv_length", 16),
                    new NAKACK2().setValue("use_mcast_xmit", false),
                    new UNICAST3(),
                    new STABLE(),
                    new GMS().setValue("join_timeout", 2000L),
                    new UFC(),
                    new MFC(),
                    new FRAG4());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("session.cluster.bind: unknown host " + cluster.bindHost(), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the cluster channel: " + e.getMessage(), e);
        }
    }
}
