package org.vtpmmigrate.tpm.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import org.vtpmmigrate.tpm.TpmResponseCode;
import org.vtpmmigrate.tpm.TpmResponseCode.Subject;

import tss.tpm.TPM_RC;

/** Decodes TPM 2.0 response codes (TPM 2.0 Part 2, 6.6): names from TSS.Java, short explanations. */
public final class ResponseCodes {

    private static final int FORMAT_ONE = 0x080;
    private static final int FORMAT_ONE_PARAMETER = 0x040;
    private static final int FORMAT_ONE_SESSION = 0x800;
    private static final int VERSION_ONE = 0x100;
    private static final int VENDOR = 0x400;
    private static final int WARNING = 0x800;

    // TSS.Java's TPM_RC also holds masks and markers (RC_FMT1, P, _1, N_MASK ...) that are no codes.
    private static final Pattern NOT_A_CODE = Pattern.compile("_\\d|[A-EHPS]|N_MASK|RC_.*|NOT_USED|TBS_.*|TSS_.*");
    private static final Map<Integer, String> NAMES = new HashMap<>();
    private static final Map<Integer, String> DESCRIPTIONS = new HashMap<>();

    static {
        for (TPM_RC code : TPM_RC.values()) {
            if (!NOT_A_CODE.matcher(code.name()).matches()) {
                NAMES.putIfAbsent(code.toInt(), "TPM_RC_" + code.name());
            }
        }
        NAMES.put(0x100, "TPM_RC_INITIALIZE");
        describe(0x000, "success");
        describe(0x081, "asymmetric algorithm not supported or not correct");
        describe(0x082, "inconsistent attributes");
        describe(0x083, "hash algorithm not supported or not appropriate");
        describe(0x084, "value is out of range or is not correct for the context");
        describe(0x085, "hierarchy is not enabled or is not correct for the use");
        describe(0x087, "key size is not supported");
        describe(0x08B, "the handle is not correct for the use");
        describe(0x08E, "the authorization HMAC check failed and the DA counter was incremented");
        describe(0x095, "structure is the wrong size");
        describe(0x098, "union selector is incorrect");
        describe(0x09A, "the TPM was unable to unmarshal a value because there were not enough bytes");
        describe(0x09B, "the signature is not valid");
        describe(0x09C, "key fields are not compatible with the selected use");
        describe(0x09D, "a policy check failed");
        describe(0x09F, "integrity check failed");
        describe(0x0A0, "the ticket is not valid");
        describe(0x0A2, "authorization failure without DA implications");
        describe(0x0A4, "the policy session has a command code bound that does not match this command");
        describe(0x0A7, "point is not on the required curve");
        describe(0x101, "the TPM is in failure mode");
        describe(0x126, "policy failure in math operation or an invalid authPolicy value");
        describe(0x127, "PCR check failed");
        describe(0x128, "the PCRs changed since the policy session checked them");
        describe(0x143, "command code not supported");
        describe(0x14A, "NV index or persistent object not initialised");
        describe(0x149, "NV access authorization fails in command actions");
        describe(0x902, "out of memory for object contexts (transient objects not flushed?)");
        describe(0x903, "out of memory for session contexts (sessions not flushed?)");
        describe(0x905, "out of session handles: a session must be flushed");
        describe(0x906, "out of object handles: a transient object must be flushed");
        describe(0x907, "the command is not allowed at the current locality");
        describe(0x908, "the TPM has suspended operation on the command");
        describe(0x90A, "the TPM is performing self-tests");
        describe(0x921, "the authorization is locked out (dictionary attack protection)");
        describe(0x922, "the TPM is busy; the command may be retried");
        describe(0x923, "the command may require writing of NV and NV is not currently accessible");
    }

    private ResponseCodes() {
    }

    private static void describe(int baseCode, String description) {
        DESCRIPTIONS.put(baseCode, description);
    }

    /** Decodes a raw response code. */
    public static TpmResponseCode decode(int raw) {
        if ((raw & 0xFFFF0000) != 0) {
            // Layer codes come from software between us and the TPM (a resource manager, say).
            String name = String.format("layer %d response 0x%04x", (raw >>> 16) & 0xFF, raw & 0xFFFF);
            return new TpmResponseCode(raw, raw, name, Subject.NONE, 0, "returned by a software layer, not the TPM");
        }
        if ((raw & FORMAT_ONE) != 0) {
            int base = FORMAT_ONE | (raw & 0x3F);
            Subject subject;
            int number;
            if ((raw & FORMAT_ONE_PARAMETER) != 0) {
                subject = Subject.PARAMETER;
                number = (raw >>> 8) & 0xF;
            } else if ((raw & FORMAT_ONE_SESSION) != 0) {
                subject = Subject.SESSION;
                number = (raw >>> 8) & 0x7;
            } else {
                subject = Subject.HANDLE;
                number = (raw >>> 8) & 0x7;
                if (number == 0) {
                    subject = Subject.NONE;
                }
            }
            return new TpmResponseCode(raw, base, nameOf(base), subject, number, DESCRIPTIONS.getOrDefault(base, ""));
        }
        if ((raw & 0xFFFF) == 0) {
            return new TpmResponseCode(raw, 0, "TPM_RC_SUCCESS", Subject.NONE, 0, "success");
        }
        if ((raw & VERSION_ONE) == 0) {
            return new TpmResponseCode(raw, raw, String.format("TPM 1.2 response 0x%03x", raw), Subject.NONE, 0,
                    "not a TPM 2.0 response code");
        }
        if ((raw & VENDOR) != 0) {
            return new TpmResponseCode(raw, raw, String.format("vendor response 0x%03x", raw), Subject.NONE, 0,
                    "defined by the TPM vendor");
        }
        int base = ((raw & WARNING) != 0 ? 0x900 : VERSION_ONE) | (raw & 0x7F);
        return new TpmResponseCode(raw, base, nameOf(base), Subject.NONE, 0, DESCRIPTIONS.getOrDefault(base, ""));
    }

    private static String nameOf(int base) {
        String name = NAMES.get(base);
        return name != null ? name : String.format("TPM_RC_0x%03x", base);
    }
}
