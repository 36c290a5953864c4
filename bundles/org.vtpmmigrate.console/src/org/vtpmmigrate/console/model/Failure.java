package org.vtpmmigrate.console.model;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.util.Objects;

import org.vtpmmigrate.attest.eventlog.EventLogFormatException;
import org.vtpmmigrate.attest.ima.ImaFormatException;
import org.vtpmmigrate.attest.policy.PolicyFormatException;
import org.vtpmmigrate.management.ErrorCode;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.PkiException;

/**
 * Something that went wrong, told three ways: {@code what} failed (a short headline), {@code why} in
 * words an administrator understands (with what to do about it where the console knows), and the
 * technical {@code detail} (codes, messages, stack trace) for the "Details" link.
 */
public record Failure(String what, String why, String detail) {
    public Failure {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(why, "why");
        Objects.requireNonNull(detail, "detail");
    }

    /** A failure with no exception behind it. */
    public static Failure of(String what, String why) {
        return new Failure(what, why, why);
    }

    /** Headline and reason on one line, as a status line shows them. */
    public String oneLine() {
        return what + ": " + why;
    }

    /**
     * A management call to {@code hostId} that failed. Transport failures (nothing answered, the TLS
     * handshake failed) are worded apart from the agent's own refusals, so "unreachable" never reads
     * like "untrusted".
     *
     * @param action what the console tried, e.g. "Reading host information"
     */
    public static Failure fromManagement(String action, String hostId, String address, ManagementException e) {
        String what = action + " on " + hostId + " failed";
        String why = switch (e.code()) {
            case UNREACHABLE -> "Nothing answered at " + address + ". The agent may be stopped, the address or"
                    + " port may be wrong, or a firewall may block the connection.";
            case TLS_FAILED -> "The secure connection to " + address + " was refused. Either the agent's"
                    + " certificate is not issued by the administrator CA this console trusts (or does not name"
                    + " this address), or the agent does not accept the console's certificate.";
            case TIMEOUT -> "The agent at " + address + " accepted the connection but did not answer in time."
                    + " It may be overloaded, or its TPM may be slow.";
            case CONNECTION_LOST -> "The connection to " + address + " broke before the answer was complete.";
            case BAD_RESPONSE -> "The agent at " + address + " answered with something the console does not"
                    + " understand; it may run a different version.";
            case INTERRUPTED -> "The console stopped waiting for the answer.";
            case UNRECOGNIZED -> "The agent refused with a reason this console does not know (\"" + e.wireCode()
                    + "\"): " + e.getMessage();
            case FORBIDDEN -> "The agent refused: the console's certificate does not grant this. " + e.getMessage();
            case UNAUTHENTICATED -> "The agent did not receive the console's certificate.";
            case NOT_FOUND -> "The agent does not know what was asked for: " + e.getMessage();
            case CONFLICT -> "The agent's state changed meanwhile: " + e.getMessage();
            case INVALID_ARGUMENT, MALFORMED_REQUEST -> "The agent rejected the request: " + e.getMessage();
            case UNAVAILABLE -> "The agent cannot serve now (it is starting or stopping, or its TPM is not"
                    + " connected): " + e.getMessage();
            case INTERNAL_ERROR -> "The agent failed internally. Its log has the details under the incident id"
                    + " in: " + e.getMessage();
            default -> "The agent answered " + e.code().wireName() + ": " + e.getMessage();
        };
        String status = e.httpStatus().isPresent() ? "HTTP " + e.httpStatus().getAsInt() : "no HTTP answer";
        return new Failure(what, why, "code " + e.wireCode() + " (" + e.code() + "), " + status + "\n"
                + "address " + address + "\n" + stackTrace(e));
    }

    /** A certificate, key or trust file the console cannot use. */
    public static Failure fromPki(String what, PkiException e) {
        String file = e.file().map(f -> "The file " + f + " ").orElse("A certificate ");
        String why = switch (e.problem()) {
            case FILE_UNREADABLE -> file + "cannot be read: it is missing, unreadable or too large.";
            case INSECURE_KEY_FILE -> file + "is readable by other users. Make the key file readable by its"
                    + " owner only (chmod 600).";
            case MALFORMED_PEM -> file + "does not hold the PEM certificate or key expected.";
            case PASSPHRASE_REQUIRED -> "The console's key is encrypted: enter its passphrase.";
            case WRONG_PASSPHRASE -> "The passphrase does not unlock the console's key.";
            case KEY_MISMATCH -> "The key file does not belong to the certificate.";
            case NOT_A_CA -> file + "is not a CA certificate; choose the administrator CA's certificate.";
            case WRONG_CA -> "The console's certificate was not issued by the administrator CA chosen as trusted.";
            case EXPIRED -> "The certificate has expired; have the administrator CA issue a new one.";
            case NOT_YET_VALID -> "The certificate is not valid yet; check the computer's clock.";
            case MISSING_KEY_USAGE, WRONG_ROLE -> "The certificate is not an administrator certificate of the"
                    + " administrator CA.";
            case UNSUPPORTED_KEY -> "The key is not an EC P-256 key, the only kind the console uses.";
            default -> e.getMessage();
        };
        return new Failure(what, why, e.problem() + ": " + e.getMessage() + "\n" + stackTrace(e));
    }

    /** A file the console could not read or write. */
    public static Failure fromIo(String what, IOException e) {
        String why = e instanceof NoSuchFileException ? "The file " + e.getMessage() + " does not exist."
                : "The file could not be read or written: " + e.getMessage();
        return new Failure(what, why, stackTrace(e));
    }

    /** A policy document that is not valid, with its line and JSON path. */
    public static Failure fromPolicy(String what, PolicyFormatException e) {
        String where = (e.line() > 0 ? "line " + e.line() : "the document")
                + (e.path().isEmpty() ? "" : ", at " + e.path());
        return new Failure(what, "The policy is not valid at " + where + ": " + e.problem(), e.getMessage());
    }

    /** An event log or IMA log the agent sent that does not parse. */
    public static Failure fromLog(String what, Exception e) {
        String why;
        if (e instanceof EventLogFormatException f) {
            why = "The boot event log is damaged at event " + f.eventIndex() + " (byte " + f.offset() + "): "
                    + f.problem();
        } else if (e instanceof ImaFormatException f) {
            why = "The IMA log is damaged at line " + f.lineNumber() + " (entry " + f.entryIndex() + "): " + f.problem();
        } else {
            why = e.getMessage();
        }
        return new Failure(what, why, stackTrace(e));
    }

    /** A failure the console did not expect: still says what was being done. */
    public static Failure unexpected(String what, Throwable e) {
        return new Failure(what, "An unexpected error occurred: " + e, stackTrace(e));
    }

    /** Whether a management failure means no answer came back (as opposed to the agent refusing). */
    public static boolean isTransport(ErrorCode code) {
        return !code.isServerCode() && code != ErrorCode.UNRECOGNIZED;
    }

    /** The stack trace of {@code e} as text, cut to what a detail pane shows. */
    public static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        String text = out.toString();
        // the detail pane is for reading, not for scrolling through framework frames
        return text.length() > 8000 ? text.substring(0, 8000) + "\n..." : text;
    }
}
