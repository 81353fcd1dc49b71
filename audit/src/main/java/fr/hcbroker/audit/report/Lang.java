package fr.hcbroker.audit.report;

/** The report's language: French, the reference, unless English is asked for. */
public enum Lang {
    FR, EN
}
