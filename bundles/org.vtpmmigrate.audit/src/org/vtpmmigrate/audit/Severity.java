package org.vtpmmigrate.audit;

/** How much a verdict reason weighs: an ERROR alone refuses; WARNING and INFO are kept for review. */
public enum Severity {
    INFO, WARNING, ERROR
}
