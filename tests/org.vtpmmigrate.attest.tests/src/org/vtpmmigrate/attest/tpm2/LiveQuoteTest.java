package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.testsupport.ProcessResult;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * Quotes from a live swtpm for every signature scheme the verifier supports (RSASSA, RSA-PSS,
 * ECDSA P-256 and P-384), each also checked by tpm2_checkquote (RSA-PSS by TPM2_VerifySignature,
 * as tpm2_checkquote 5.4 cannot check it); plus reboot detection through
 * clockInfo across a real TPM reset.
 */
class LiveQuoteTest {
    /** Banks deliberately not in HashAlgorithm order: the digest must follow the quote's order. */
    private static final String SELECTION = "sha256:0,16,23+sha1:0,16";

    record AkKind(String name, String algorithm, String hash, String scheme, TpmScheme expectedScheme) {
    }

    private static final List<AkKind> KINDS = List.of(
            new AkKind("rsassa", "rsa", "sha256", "rsassa", TpmScheme.RSASSA),
            new AkKind("rsapss", "rsa", "sha256", "rsapss", TpmScheme.RSAPSS),
            new AkKind("ecdsa-p256", "ecc", "sha256", "ecdsa", TpmScheme.ECDSA),
            new AkKind("ecdsa-p384", "ecc384", "sha384", "ecdsa", TpmScheme.ECDSA));

    /** The swtpm's working directory, where the tools write their files. */
    private static Path work;
    private static SwtpmProcess tpm;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void createAks() {
        tpm = SwtpmProcess.builder().pcrBanks("sha1", "sha256").start();
        work = tpm.workingDirectory();
        tpm.runToolThenFlush("tpm2_pcrextend", "16:sha1=" + "11".repeat(20) + ",sha256=" + "22".repeat(32)).requireSuccess();
        tpm.runToolThenFlush("tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.pub").requireSuccess();
        for (AkKind k : KINDS) {
            tpm.runToolThenFlush("tpm2_createak", "-C", "ek.ctx", "-c", k.name + ".ctx", "-G", k.algorithm, "-g", k.hash,
                    "-s", k.scheme, "-u", k.name + ".pub").requireSuccess();
            tpm.runToolThenFlush("tpm2_readpublic", "-c", k.name + ".ctx", "-f", "pem", "-o", k.name + ".pem").requireSuccess();
        }
    }

    @AfterAll
    static void stopTpm() {
        if (tpm != null) {
            tpm.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> quotesOfEverySchemeVerifyHereAndIndependently() {
        return KINDS.stream().map(k -> DynamicTest.dynamicTest(k.name, () -> {
            byte[] nonce = nonce();
            String hexNonce = HexFormat.of().formatHex(nonce);
            // --scheme: tpm2_quote would otherwise ask an RSA key for RSASSA, which a PSS key refuses
            tpm.runToolThenFlush("tpm2_quote", "-c", k.name + ".ctx", "-l", SELECTION, "-q", hexNonce, "-m", k.name + ".msg",
                    "-s", k.name + ".sig", "-o", k.name + ".pcrs", "-g", k.hash, "--scheme", k.scheme).requireSuccess();
            ProcessResult tool = tpm.runToolThenFlush("tpm2_checkquote", "-u", k.name + ".pem", "-m", k.name + ".msg", "-s",
                    k.name + ".sig", "-f", k.name + ".pcrs", "-g", k.hash, "-q", hexNonce);
            if (k.expectedScheme != TpmScheme.RSAPSS) {
                assertEquals(0, tool.exitCode(), "tpm2_checkquote: " + tool.stderr());
            } else {
                // tpm2_checkquote 5.4 checks RSA quotes as PKCS#1 v1.5 only (tpm2-tools issue #3283):
                // it refuses valid PSS quotes, so the TPM itself checks the PSS signature instead
                assertEquals(1, tool.exitCode(), "tpm2_checkquote learnt RSA-PSS; check it directly: " + tool.stdout());
                ProcessResult tpmCheck = tpm.runToolThenFlush("tpm2_verifysignature", "-c", k.name + ".ctx", "-g", k.hash,
                        "-m", k.name + ".msg", "-s", k.name + ".sig", "-t", k.name + ".ticket");
                assertEquals(0, tpmCheck.exitCode(), "TPM2_VerifySignature: " + tpmCheck.stderr());
            }

            PublicKey pem = Tpm2ToolsFiles.readPublicKey(read(k.name + ".pem"));
            TpmPublic akPublic = TpmPublic.parseTpm2b(read(k.name + ".pub"));
            assertEquals(pem, akPublic.toPublicKey());
            TpmSignature sig = TpmSignature.parse(read(k.name + ".sig"));
            assertEquals(k.expectedScheme, sig.scheme());
            assertEquals(HashAlgorithm.fromBankName(k.hash).orElseThrow(), sig.hash());

            PcrValues claimed = Tpm2ToolsFiles.readSerializedPcrs(read(k.name + ".pcrs"));
            VerificationResult<QuoteCheck> r = new QuoteVerifier().verify(akPublic.toPublicKey(), read(k.name + ".msg"),
                    read(k.name + ".sig"), claimed, nonce);
            assertTrue(r.passed(), r.summary());
            assertEquals(List.of(HashAlgorithm.SHA256, HashAlgorithm.SHA1),
                    r.attest().orElseThrow().quoteInfo().orElseThrow().pcrSelection().banks());

            VerificationResult<QuoteCheck> replay = new QuoteVerifier().verify(akPublic.toPublicKey(), read(k.name + ".msg"),
                    read(k.name + ".sig"), claimed, nonce());
            assertEquals(Set.of(QuoteCheck.NONCE), replay.failedChecks(), "replayed quote, fresh nonce");
        }));
    }

    /**
     * A quote after a TPM reset (power cycle) shows a larger resetCount: the verifier can tell a
     * reboot. Runs on its own swtpm, as the reset invalidates every saved transient context.
     */
    @Test
    void rebootBetweenQuotesIsVisibleInClockInfo() throws Exception {
        try (SwtpmProcess own = SwtpmProcess.start()) {
            own.runToolThenFlush("tpm2_createek", "-c", "ek.ctx", "-G", "ecc", "-u", "ek.pub").requireSuccess();
            own.runToolThenFlush("tpm2_createak", "-C", "ek.ctx", "-c", "ak.ctx", "-G", "ecc", "-g", "sha256", "-s", "ecdsa",
                    "-u", "ak.pub").requireSuccess();
            String handle = "0x81000200";
            own.runToolThenFlush("tpm2_evictcontrol", "-C", "o", "-c", "ak.ctx", handle).requireSuccess();
            ClockInfo first = quoteClock(own, handle, "fresh1");
            ClockInfo second = quoteClock(own, handle, "fresh2");
            assertTrue(second.continuesFrom(first), first + " -> " + second);
            own.restart();
            ClockInfo afterReset = quoteClock(own, handle, "fresh3");
            assertFalse(afterReset.sameBootCycleAs(second), second + " -> " + afterReset);
            assertEquals(second.resetCount() + 1, afterReset.resetCount());
            assertNotEquals(second, afterReset);
        }
    }

    /**
     * A key that is not restricted signs any digest, also that of a made-up TPMS_ATTEST: its
     * "quote" of invented PCR values verifies against its bare public key. Given the public area,
     * the verifier refuses it as an attestation key.
     */
    @Test
    void unrestrictedKeyCanForgeQuotesSoTheAkMustBeRestricted() throws Exception {
        tpm.runToolThenFlush("tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", "primary.ctx").requireSuccess();
        tpm.runToolThenFlush("tpm2_create", "-C", "primary.ctx", "-G", "ecc256", "-g", "sha256",
                "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign", "-u", "unrestricted.pub",
                "-r", "unrestricted.priv", "-c", "unrestricted.ctx").requireSuccess();
        PcrValues invented = PcrValues.builder().put(HashAlgorithm.SHA256, 0, new byte[32]).build();
        byte[] nonce = nonce();
        byte[] forged = new org.vtpmmigrate.attest.tpm2.internal.TpmWriter().u32(0xFF544347L).u16(0x8018)
                .tpm2b(new byte[0]).tpm2b(nonce).u64(1).u32(0).u32(0).u8(1).u64(0)
                .bytes(PcrSelection.of(invented).marshal())
                .tpm2b(HashAlgorithm.SHA256.digest(PcrSelection.of(invented).concatenate(invented))).toByteArray();
        Files.write(work.resolve("forged.digest"), HashAlgorithm.SHA256.digest(forged));
        tpm.runToolThenFlush("tpm2_sign", "-c", "unrestricted.ctx", "-g", "sha256", "-s", "ecdsa", "-d", "-o", "forged.sig",
                "forged.digest").requireSuccess();
        TpmPublic unrestricted = TpmPublic.parseTpm2b(read("unrestricted.pub"));

        VerificationResult<QuoteCheck> bareKey = new QuoteVerifier().verify(unrestricted.toPublicKey(), forged,
                read("forged.sig"), invented, nonce);
        assertTrue(bareKey.passed(), "the forgery is cryptographically fine: " + bareKey.summary());
        VerificationResult<QuoteCheck> publicArea = new QuoteVerifier().verify(unrestricted, forged, read("forged.sig"),
                invented, nonce);
        assertEquals(Set.of(QuoteCheck.ATTESTATION_KEY), publicArea.failedChecks(), publicArea.summary());
        assertTrue(publicArea.summary().contains("restricted"), publicArea.summary());

        // a real AK given as its public area passes
        String tag = "restricted";
        tpm.runToolThenFlush("tpm2_quote", "-c", "ecdsa-p256.ctx", "-l", "sha256:0", "-q", HexFormat.of().formatHex(nonce),
                "-m", tag + ".msg", "-s", tag + ".sig", "-o", tag + ".pcrs", "-g", "sha256").requireSuccess();
        VerificationResult<QuoteCheck> real = new QuoteVerifier().verify(TpmPublic.parseTpm2b(read("ecdsa-p256.pub")),
                read(tag + ".msg"), read(tag + ".sig"), Tpm2ToolsFiles.readSerializedPcrs(read(tag + ".pcrs")), nonce);
        assertTrue(real.passed(), real.summary());
    }

    private static ClockInfo quoteClock(SwtpmProcess own, String akHandle, String tag) throws Exception {
        byte[] nonce = nonce();
        own.runToolThenFlush("tpm2_quote", "-c", akHandle, "-l", "sha256:16", "-q", HexFormat.of().formatHex(nonce), "-m", tag + ".msg",
                "-s", tag + ".sig", "-o", tag + ".pcrs", "-g", "sha256").requireSuccess();
        Path dir = own.workingDirectory();
        TpmPublic ak = TpmPublic.parseTpm2b(Files.readAllBytes(dir.resolve("ak.pub")));
        VerificationResult<QuoteCheck> r = new QuoteVerifier().verify(ak, Files.readAllBytes(dir.resolve(tag + ".msg")),
                Files.readAllBytes(dir.resolve(tag + ".sig")),
                Tpm2ToolsFiles.readSerializedPcrs(Files.readAllBytes(dir.resolve(tag + ".pcrs"))), nonce);
        assertTrue(r.passed(), r.summary());
        return r.attest().orElseThrow().clockInfo();
    }

    private static byte[] nonce() {
        byte[] n = new byte[32];
        RANDOM.nextBytes(n);
        return n;
    }

    private static byte[] read(String f) throws Exception {
        return Files.readAllBytes(work.resolve(f));
    }
}
