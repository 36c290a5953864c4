package org.vtpmmigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quote verify} on the corpus' quote vectors: the verdicts tpm2_checkquote gave them (MANIFEST
 * section 4), every check printed, exit 1 naming the failing checks, exit 2 for input that is not
 * what tpm2_quote writes.
 */
class QuoteVerifyCommandTest {
    private static final String S = "quotes/swtpm/";

    private static Cli.Run verify(String ak, String vector, String pcrs, String nonce, String... extra) {
        return verifyFiles(ak, vector + "quote.msg", vector + "quote.sig", pcrs, nonce, extra);
    }

    private static Cli.Run verifyFiles(String ak, String message, String signature, String pcrs, String nonce,
            String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("quote", "verify", "--ak", Cli.data(ak),
                "--message", Cli.data(message), "--signature", Cli.data(signature),
                "--pcrs", Cli.data(pcrs), "--nonce", nonce));
        args.addAll(List.of(extra));
        return Cli.run(new QuoteVerifyCommand(), args.toArray(String[]::new));
    }

    private static String nonce(String file) {
        return Cli.text(file).strip();
    }

    private static String line(Cli.Run r, String check) {
        return r.out().lines().filter(l -> l.length() > 9 && l.substring(9).split(" ")[0].equals(check)).findFirst()
                .orElseThrow(() -> new AssertionError(check + " not printed:\n" + r.out()));
    }

    @Test
    void theValidVectorsVerifyWithEveryCheckOk() {
        Cli.Run rsa = verify(S + "common/ak.pub.tss", S + "valid/", S + "valid/quote.pcrs", nonce(S + "valid/nonce.hex"));
        assertEquals(ExitCode.OK, rsa.exit(), rsa.toString());
        assertEquals(10, rsa.out().lines().count(), rsa.out());
        assertTrue(rsa.out().lines().limit(9).allMatch(l -> l.startsWith("ok ")), rsa.out());
        Cli.Run ecc = verify(S + "common/akecc.pub.pem", S + "ecc_valid/", S + "ecc_valid/quote.pcrs",
                nonce(S + "ecc_valid/nonce.hex"));
        assertEquals(ExitCode.OK, ecc.exit(), ecc.toString());
        assertTrue(line(ecc, "attestation-key").startsWith("skipped"), "a PEM key has no attributes to check");
        Cli.Run keylime = verifyFiles("quotes/keylime/akpub.pem", "quotes/keylime/quote.out", "quotes/keylime/quotesig.out",
                "quotes/keylime/quotepcr.out", nonce("quotes/keylime/nonce.hex"));
        assertEquals(ExitCode.OK, keylime.exit(), keylime.toString());
    }

    @Test
    void aWrongNonceAndTamperedFilesFailTheirChecks() {
        Cli.Run nonce = verify(S + "common/ak.pub.pem", S + "wrong_nonce/", S + "wrong_nonce/quote.pcrs",
                nonce(S + "wrong_nonce/verifier_nonce.hex"));
        assertEquals(ExitCode.REFUSED, nonce.exit());
        assertTrue(line(nonce, "nonce").startsWith("FAILED") && line(nonce, "nonce").contains("is not the expected nonce"));
        assertTrue(nonce.out().endsWith("quote NOT verified: 1 check failed\n"), nonce.out());

        Cli.Run pcrs = verify(S + "common/ak.pub.tss", S + "tampered_pcrs/", S + "tampered_pcrs/quote.pcrs",
                nonce(S + "tampered_pcrs/nonce.hex"));
        assertEquals(ExitCode.REFUSED, pcrs.exit());
        assertTrue(line(pcrs, "pcr-digest").startsWith("FAILED"), pcrs.out());
        assertTrue(line(pcrs, "signature").startsWith("ok"), pcrs.out());

        Cli.Run sig = verify(S + "common/ak.pub.tss", S + "tampered_sig/", S + "tampered_sig/quote.pcrs",
                nonce(S + "tampered_sig/nonce.hex"));
        assertEquals(ExitCode.REFUSED, sig.exit());
        assertTrue(line(sig, "signature").startsWith("FAILED"), sig.out());
        assertTrue(line(sig, "pcr-digest").startsWith("ok"), sig.out());
    }

    @Test
    void aSha1SignatureIsADowngradeUnlessAllowed() {
        String g = "quotes/go-attestation-gcp-windows/";
        Cli.Run refused = verify(g + "ak.tpm2b_public.bin", g, g + "quote.pcrs", "");
        assertEquals(ExitCode.REFUSED, refused.exit(), refused.toString());
        assertTrue(line(refused, "signature-algorithm").startsWith("FAILED"), refused.out());
        assertTrue(line(refused, "signature").startsWith("not run"), refused.out());
        Cli.Run allowed = verify(g + "ak.tpm2b_public.bin", g, g + "quote.pcrs", "", "--allow-sha1");
        assertEquals(ExitCode.OK, allowed.exit(), allowed.toString());
    }

    @Test
    void aTpm12QuoteIsMalformedInput() {
        String t = "quotes/go-attestation-linux-tpm12/";
        Cli.Run r = Cli.run(new QuoteVerifyCommand(), "quote", "verify", "--ak", Cli.data(t + "aik.pub.pem"), "--message",
                Cli.data(t + "quote_info.bin"), "--signature", Cli.data(S + "valid/quote.sig"), "--pcrs",
                Cli.data(S + "valid/quote.pcrs"), "--nonce", "00");
        assertEquals(ExitCode.USAGE, r.exit());
        assertTrue(r.err().contains("TPM 1.2"), r.err());
    }

    @Test
    void undecodableInputsAndBadArgumentsAreExitTwo(@TempDir Path dir) throws Exception {
        Path shortPcrs = dir.resolve("short.pcrs");
        byte[] full = Files.readAllBytes(Path.of(Cli.data(S + "valid/quote.pcrs")));
        Files.write(shortPcrs, java.util.Arrays.copyOf(full, 100));
        Cli.Run pcrs = Cli.run(new QuoteVerifyCommand(), "quote", "verify", "--ak", Cli.data(S + "common/ak.pub.pem"),
                "--message", Cli.data(S + "valid/quote.msg"), "--signature", Cli.data(S + "valid/quote.sig"),
                "--pcrs", shortPcrs.toString(), "--nonce", "00");
        assertEquals(ExitCode.USAGE, pcrs.exit());
        assertTrue(pcrs.err().contains("not a tpm2-tools PCR file") && pcrs.err().contains("offset"), pcrs.err());
        assertEquals(1, pcrs.errLines().size());

        Cli.Run badNonce = verify(S + "common/ak.pub.pem", S + "valid/", S + "valid/quote.pcrs", "xyz");
        assertEquals(ExitCode.USAGE, badNonce.exit());
        assertEquals("vtpm-migrate quote verify: --nonce must be an even number of hex digits, got 'xyz'\n", badNonce.err());

        Cli.Run noAk = Cli.run(new QuoteVerifyCommand(), "quote", "verify", "--message", Cli.data(S + "valid/quote.msg"));
        assertEquals("vtpm-migrate quote verify: --ak is required\n", noAk.err());

        Cli.Run notAKey = verify(S + "valid/nonce.hex", S + "valid/", S + "valid/quote.pcrs", "00");
        assertEquals(ExitCode.USAGE, notAKey.exit());
        assertTrue(notAKey.err().contains("neither a TPM2B_PUBLIC nor a PEM/DER public key"), notAKey.err());
    }
}
