package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.tpm2.QuoteCheck;
import org.vtpmmigrate.attest.tpm2.QuoteVerifier;
import org.vtpmmigrate.attest.tpm2.Tpm2ToolsFiles;
import org.vtpmmigrate.attest.tpm2.TpmAttest;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.attest.tpm2.TpmSignature;
import org.vtpmmigrate.attest.tpm2.VerificationResult;

/**
 * {@code quote verify}: checks what {@code tpm2_quote} wrote (-m, -s, -o) against the AK and the
 * nonce, and prints every check with its result. Inputs that cannot be decoded at all (not a
 * TPMS_ATTEST, not a TPMT_SIGNATURE, not a PCR file, not a key) are usage errors (exit 2); a
 * quote that decodes and fails a check is refused (exit 1).
 */
final class QuoteVerifyCommand implements Command {
    @Override
    public String name() {
        return "quote verify";
    }

    @Override
    public String synopsis() {
        return "--ak AK.pem|AK.pub --message quote.msg --signature quote.sig --pcrs quote.pcrs --nonce HEX [--allow-sha1]";
    }

    @Override
    public String summary() {
        return "verify a tpm2_quote (signature, nonce, PCR digest) and print every check";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments a = Arguments.parse(args, Set.of("--ak", "--message", "--signature", "--pcrs", "--nonce"),
                Set.of("--allow-sha1"));
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        String akFile = a.requiredOption("--ak");
        String msgFile = a.requiredOption("--message");
        String sigFile = a.requiredOption("--signature");
        String pcrsFile = a.requiredOption("--pcrs");
        byte[] nonce = hex(a.requiredOption("--nonce"));

        byte[] akBytes = InputFiles.read(akFile, InputFiles.MAX_SMALL_FILE);
        byte[] attest = InputFiles.read(msgFile, InputFiles.MAX_SMALL_FILE);
        byte[] signature = InputFiles.read(sigFile, InputFiles.MAX_SMALL_FILE);
        PcrValues pcrs;
        try {
            TpmAttest.parse(attest);
        } catch (TpmFormatException e) {
            throw new UsageException(msgFile + ": not a TPMS_ATTEST: " + e.getMessage(), e);
        }
        try {
            TpmSignature.parse(signature);
        } catch (TpmFormatException e) {
            throw new UsageException(sigFile + ": not a TPMT_SIGNATURE: " + e.getMessage(), e);
        }
        try {
            pcrs = Tpm2ToolsFiles.readSerializedPcrs(InputFiles.read(pcrsFile, InputFiles.MAX_SMALL_FILE));
        } catch (TpmFormatException e) {
            throw new UsageException(pcrsFile + ": not a tpm2-tools PCR file: " + e.getMessage(), e);
        }

        Set<HashAlgorithm> hashes = EnumSet.copyOf(QuoteVerifier.DEFAULT_SIGNATURE_HASHES);
        if (a.flag("--allow-sha1")) {
            hashes.add(HashAlgorithm.SHA1);
        }
        QuoteVerifier verifier = new QuoteVerifier(hashes);
        TpmPublic akPublic = tpmPublic(akBytes);
        VerificationResult<QuoteCheck> result;
        if (akPublic != null) {
            result = verifier.verify(akPublic, attest, signature, pcrs, nonce);
        } else {
            result = verifier.verify(publicKey(akFile, akBytes), attest, signature, pcrs, nonce);
        }
        print(out, result, akPublic != null);
        return result.passed() ? ExitCode.OK : ExitCode.REFUSED;
    }

    private static void print(PrintStream out, VerificationResult<QuoteCheck> result, boolean akAttributesKnown) {
        Map<QuoteCheck, String> failed = new TreeMap<>();
        result.failures().forEach(f -> failed.merge(f.check(), f.message(), (x, y) -> x + "; " + y));
        boolean decoded = result.attest().isPresent();
        for (QuoteCheck c : QuoteCheck.values()) {
            String status;
            String note = "";
            if (failed.containsKey(c)) {
                status = "FAILED";
                note = failed.get(c);
            } else if (c == QuoteCheck.ATTESTATION_KEY && !akAttributesKnown) {
                status = "skipped";
                note = "the AK is a bare public key; give its TPM2B_PUBLIC (tpm2_createak -u) to check its attributes";
            } else if (c == QuoteCheck.SIGNATURE && failed.containsKey(QuoteCheck.SIGNATURE_ALGORITHM)) {
                status = "not run";
                note = "the signature algorithm is not accepted";
            } else if (!decoded && c.compareTo(QuoteCheck.TYPE) > 0) {
                status = "not run";
                note = "the attestation is not a quote";
            } else {
                status = "ok";
            }
            String check = c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            out.println(note.isEmpty() ? String.format("%-8s %s", status, check)
                    : String.format("%-8s %-20s %s", status, check, note));
        }
        out.println(result.passed() ? "quote verified: signed by the AK, answers the nonce, covers the claimed PCR values"
                : "quote NOT verified: " + failed.size() + (failed.size() == 1 ? " check" : " checks") + " failed");
    }

    private static byte[] hex(String value) throws UsageException {
        String h = value.strip();
        if (h.startsWith("0x") || h.startsWith("0X")) {
            h = h.substring(2);
        }
        if (h.length() % 2 != 0 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new UsageException("--nonce must be an even number of hex digits, got '"
                    + (h.length() > 40 ? h.substring(0, 40) + "..." : h) + "'");
        }
        if (h.length() > 128) {
            throw new UsageException("--nonce has " + h.length() / 2 + " bytes; a TPM takes at most 64");
        }
        return HexFormat.of().parseHex(h.toLowerCase(java.util.Locale.ROOT));
    }

    /** The AK as a TPM2B_PUBLIC when it is one, else null (then it must be a PEM or DER public key). */
    private static TpmPublic tpmPublic(byte[] bytes) {
        if (new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.US_ASCII).contains("-----BEGIN")) {
            return null;
        }
        try {
            TpmPublic p = TpmPublic.parseTpm2b(bytes);
            p.toPublicKey();
            return p;
        } catch (TpmFormatException | InvalidKeyException e) {
            return null;
        }
    }

    private static PublicKey publicKey(String name, byte[] bytes) throws UsageException {
        try {
            return Tpm2ToolsFiles.readPublicKey(bytes);
        } catch (TpmFormatException e) {
            throw new UsageException(name + ": neither a TPM2B_PUBLIC nor a PEM/DER public key: " + e.getMessage(), e);
        }
    }
}
