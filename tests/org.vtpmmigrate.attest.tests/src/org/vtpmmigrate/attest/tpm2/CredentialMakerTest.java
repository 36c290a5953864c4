package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.testsupport.ProcessResult;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * Credentials made in software are activated by a real TPM (swtpm, tpm2_activatecredential)
 * for RSA-2048 and ECC P-256 endorsement keys, and refused when made for another key's name.
 */
class CredentialMakerTest {
    /** The swtpm's working directory, where the tools write their files. */
    private static Path work;
    private static SwtpmProcess tpm;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void createKeys() {
        tpm = SwtpmProcess.start();
        work = tpm.workingDirectory();
        tpm.runToolThenFlush("tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.pub").requireSuccess();
        tpm.runToolThenFlush("tpm2_createak", "-C", "ek.ctx", "-c", "ak.ctx", "-G", "ecc", "-g", "sha256", "-s", "ecdsa",
                "-u", "ak.pub", "-n", "ak.name").requireSuccess();
        tpm.runToolThenFlush("tpm2_createek", "-c", "ekecc.ctx", "-G", "ecc", "-u", "ekecc.pub").requireSuccess();
        tpm.runToolThenFlush("tpm2_createak", "-C", "ekecc.ctx", "-c", "akecc.ctx", "-G", "ecc", "-g", "sha256", "-s", "ecdsa",
                "-u", "akecc.pub", "-n", "akecc.name").requireSuccess();
    }

    @AfterAll
    static void stopTpm() {
        if (tpm != null) {
            tpm.close();
        }
    }

    @Test
    void rsaEkCredentialIsActivatedByTheTpm() throws Exception {
        assertActivates("ek.pub", "ek.ctx", "ak.ctx", "ak.name", 32);
    }

    @Test
    void eccEkCredentialIsActivatedByTheTpm() throws Exception {
        TpmPublic ek = TpmPublic.parseTpm2b(Files.readAllBytes(work.resolve("ekecc.pub")));
        assertEquals(EccCurve.NIST_P256, ((TpmPublic.EccDetails) ek.details()).curve());
        assertActivates("ekecc.pub", "ekecc.ctx", "akecc.ctx", "akecc.name", 16);
    }

    @Test
    void credentialMadeForAnotherNameIsRefusedByTheTpm() throws Exception {
        TpmPublic ek = TpmPublic.parseTpm2b(Files.readAllBytes(work.resolve("ek.pub")));
        byte[] otherName = Files.readAllBytes(work.resolve("akecc.name"));
        IdentityCredential c = new CredentialMaker().make(ek, otherName, secret(32));
        Files.write(work.resolve("wrongname.blob"), c.toTpm2ToolsFile());
        ProcessResult r = activate("ek.ctx", "ak.ctx", "wrongname.blob", "wrongname.out");
        assertNotEquals(0, r.exitCode(), "the TPM must refuse a credential bound to another name");
        assertTrue(r.stderr().contains("integrity"), "TPM_RC_INTEGRITY expected: " + r.stderr());
    }

    /** tpm2_makecredential output (offline, random seed) decodes, re-encodes byte for byte, and activates. */
    @Test
    void tpm2ToolsCredentialFileFormat() throws Exception {
        byte[] secret = secret(20);
        Files.write(work.resolve("tool.secret"), secret);
        String name = HexFormat.of().formatHex(Files.readAllBytes(work.resolve("ak.name")));
        ProcessResult made = tpm.runToolThenFlush("tpm2_makecredential", "-T", "none", "-u", "ek.pub", "-s", "tool.secret",
                "-n", name, "-o", "tool.blob");
        assertEquals(0, made.exitCode(), made.stderr());
        byte[] file = Files.readAllBytes(work.resolve("tool.blob"));
        IdentityCredential parsed = IdentityCredential.fromTpm2ToolsFile(file);
        assertArrayEquals(file, parsed.toTpm2ToolsFile());
        assertEquals(32, parsed.integrityHmac().length);
        assertEquals(2 + secret.length, parsed.encIdentity().length);
        assertEquals(256, parsed.encryptedSecret().length);
        IdentityCredential ours = new CredentialMaker().make(TpmPublic.parseTpm2b(Files.readAllBytes(work.resolve("ek.pub"))),
                Files.readAllBytes(work.resolve("ak.name")), secret);
        assertEquals(file.length, ours.toTpm2ToolsFile().length, "same layout and sizes as the tool's file");
        assertArrayEquals(Arrays.copyOf(file, 8), Arrays.copyOf(ours.toTpm2ToolsFile(), 8), "same header");
        assertEquals(0, activate("ek.ctx", "ak.ctx", "tool.blob", "tool.out").exitCode());
        assertArrayEquals(secret, Files.readAllBytes(work.resolve("tool.out")));
    }

    @Test
    void malformedCredentialFilesAreRefused() {
        byte[] bad = HexFormat.of().parseHex("badcc0de00000002");
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> IdentityCredential.fromTpm2ToolsFile(bad));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
        byte[] huge = HexFormat.of().parseHex("badcc0de00000001" + "0100");
        assertThrows(TpmFormatException.class, () -> IdentityCredential.fromTpm2ToolsFile(huge));
    }

    @Test
    void unusableInputsAreRefused() throws Exception {
        TpmPublic ek = TpmPublic.parseTpm2b(Files.readAllBytes(work.resolve("ek.pub")));
        byte[] name = Files.readAllBytes(work.resolve("ak.name"));
        CredentialMaker maker = new CredentialMaker();
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> maker.make(ek, name, new byte[33]));
        assertTrue(tooLong.getMessage().contains("must be 1..32"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> maker.make(ek, Arrays.copyOf(name, 20), new byte[16]));
        TpmPublic signingKey = TpmPublic.parseTpm2b(Files.readAllBytes(work.resolve("ak.pub")));
        InvalidKeyException notEk = assertThrows(InvalidKeyException.class, () -> maker.make(signingKey, name, new byte[16]));
        assertTrue(notEk.getMessage().contains("restricted decryption key"), notEk.getMessage());
    }

    private static void assertActivates(String ekPub, String ekCtx, String akCtx, String akName, int secretLength)
            throws Exception {
        TpmPublic ek = TpmPublic.parseTpm2b(Files.readAllBytes(work.resolve(ekPub)));
        byte[] name = Files.readAllBytes(work.resolve(akName));
        byte[] secret = secret(secretLength);
        IdentityCredential c = new CredentialMaker(RANDOM).make(ek, name, secret);
        String blob = ekPub + ".blob";
        String out = ekPub + ".activated";
        Files.write(work.resolve(blob), c.toTpm2ToolsFile());
        ProcessResult r = activate(ekCtx, akCtx, blob, out);
        assertEquals(0, r.exitCode(), "tpm2_activatecredential: " + r.stderr());
        assertArrayEquals(secret, Files.readAllBytes(work.resolve(out)));
    }

    /** The EK's policy is PolicySecret(endorsement): satisfy it in a policy session, then activate. */
    private static ProcessResult activate(String ekCtx, String akCtx, String blob, String out) {
        List<ProcessResult> rs = tpm.runToolsThenFlush(
                List.of("tpm2_startauthsession", "--policy-session", "-S", "ekpolicy.ctx"),
                List.of("tpm2_policysecret", "-S", "ekpolicy.ctx", "-c", "e"),
                List.of("tpm2_activatecredential", "-c", akCtx, "-C", ekCtx, "-i", blob, "-o", out,
                        "-P", "session:ekpolicy.ctx"));
        for (int i = 0; i < rs.size() - 1; i++) {
            assertEquals(0, rs.get(i).exitCode(), rs.get(i).stderr());
        }
        assertEquals(3, rs.size(), "policy session set up");
        return rs.get(2);
    }

    private static byte[] secret(int n) {
        byte[] s = new byte[n];
        RANDOM.nextBytes(s);
        return s;
    }
}
