package fr.hcbroker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** CPU time and resident memory of a process and its children, read from /proc (Linux). */
final class ProcessTree {

    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessTree() {
    }

    private static List<ProcessHandle> tree(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
        all.add(root);
        return all;
    }

    /** User + system CPU seconds used so far by the tree. */
    static double cpuSeconds(ProcessHandle root) {
        double total = 0;
        for (ProcessHandle p : tree(root)) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
            } catch (IOException | RuntimeException gone) {
                // a worker that just exited: nothing left to count
            }
        }
        return total;
    }

    /** Resident set size of the tree, in MiB. */
    static double rssMiB(ProcessHandle root) {
        long kib = 0;
        for (ProcessHandle p : tree(root)) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kib += Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
            } catch (IOException | RuntimeException gone) {
                // exited
            }
        }
        return kib / 1024.0;
    }
}
