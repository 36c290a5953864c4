package org.vtpmmigrate.tpm.internal;

import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.AkAlgorithm;
import org.vtpmmigrate.tpm.AttestationKey;
import org.vtpmmigrate.tpm.BoundDecryptionKey;
import org.vtpmmigrate.tpm.BoundKeyPolicy;
import org.vtpmmigrate.tpm.EkType;
import org.vtpmmigrate.tpm.PcrBank;
import org.vtpmmigrate.tpm.PcrSelection;
import org.vtpmmigrate.tpm.PcrValues;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;
import org.vtpmmigrate.tpm.ToolMadeCredential;

/**
 * Prints the median latency of each TPM operation the protocol uses, on a fresh swtpm. Not a test
 * (nothing is asserted): run it with {@code java ... org.vtpmmigrate.tpm.internal.TpmLatencyBenchmark [runs]}.
 */
public final class TpmLatencyBenchmark {

    private static final PcrSelection QUOTED = PcrSelection.of(PcrBank.SHA256, 0, 1, 2, 3, 4, 5, 6, 7, 16);
    /** About the size of an audit record or a commit payload. */
    private static final int SIGNED_DATA = 200;

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private final int runs;
    private final List<String> report = new ArrayList<>();

    private TpmLatencyBenchmark(int runs) {
        this.runs = runs;
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 25;
        if (runs < 20) {
            throw new IllegalArgumentException("Use at least 20 runs, got " + runs);
        }
        new TpmLatencyBenchmark(runs).measure();
    }

    private void measure() throws Exception {
        SecureRandom random = new SecureRandom();
        ECPoint peer = ((ECPublicKey) p256().generateKeyPair().getPublic()).getW();
        byte[] signedData = new byte[SIGNED_DATA];
        random.nextBytes(signedData);
        signedData[0] = 0; // never TPM_GENERATED_VALUE
        try (SwtpmProcess swtpm = SwtpmProcess.builder().pcrBanks("sha1", "sha256").start()) {
            ToolMadeCredential credential = ToolMadeCredential.forEccAttestationKey(swtpm, new byte[32]);
            try (TssTpmConnection tpm = (TssTpmConnection) TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec()))
                    .connect()) {
                time("PCR_Read sha256:0-7 (1 command)", () -> tpm.readPcrs(PcrSelection.of(PcrBank.SHA256,
                        0, 1, 2, 3, 4, 5, 6, 7)));
                time("PCR_Read sha1+sha256 all 24 (6 commands)",
                        () -> tpm.readPcrs(PcrSelection.allPcrs(PcrBank.SHA1, PcrBank.SHA256)));
                time("PCR_Extend PCR 16 sha256", () -> tpm.extendPcr(16, Map.of(PcrBank.SHA256, new byte[32])));
                timeWithCleanup("CreatePrimary ECC P-256 AK", () -> tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256));
                try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
                    byte[] nonce = new byte[32];
                    random.nextBytes(nonce);
                    time("Quote ECC AK over sha256:0-7,16", () -> tpm.quote(ak, nonce, QUOTED));
                    time("Sign " + SIGNED_DATA + " bytes with ECC AK (Hash + Sign)", () -> tpm.sign(ak, signedData));
                    timeWithCleanup("CreatePrimary ECC SRK", () -> {
                        TssTpmConnection.LoadedObject srk = tpm.createStorageRootKey();
                        return () -> tpm.flushHandle(srk.handle(), "SRK");
                    });
                    PcrValues values = tpm.readPcrs(QUOTED);
                    byte[] authPolicy = PolicyDigests.boundKeyPolicy(values, BoundKeyPolicy.PCR_ONLY);
                    TssTpmConnection.LoadedObject srk = tpm.createStorageRootKey();
                    timeWithCleanup("Create+Load bound key (SRK loaded)", () -> {
                        synchronized (tpm) {
                            return tpm.createBoundKeyUnder(srk.handle(), values, BoundKeyPolicy.PCR_ONLY, authPolicy);
                        }
                    });
                    tpm.flushHandle(srk.handle(), "SRK");
                    timeWithCleanup("createPcrBoundDecryptionKey (SRK+Create+Load+flush SRK)",
                            () -> tpm.createPcrBoundDecryptionKey(values, BoundKeyPolicy.PCR_ONLY));
                    try (BoundDecryptionKey key = tpm.createPcrBoundDecryptionKey(values, BoundKeyPolicy.PCR_ONLY)) {
                        time("Certify bound key with ECC AK", () -> tpm.certify(key, ak, nonce));
                        time("policy session + PolicyPCR + ECDH_ZGen + flush", () -> tpm.ecdhZGen(key, peer));
                    }
                    time("policy session + PolicySecret + ActivateCredential (RSA EK) + flush",
                            () -> tpm.activateCredential(ak, EkType.RSA_2048, credential.credentialBlob(),
                                    credential.encryptedSecret()));
                }
                time("EK certificate read (RSA, NV)", () -> tpm.readEkCertificate(EkType.RSA_2048));
                timeWithCleanup("CreatePrimary RSA-2048 AK", () -> tpm.createAttestationKey(AkAlgorithm.RSA_2048));
                try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.RSA_2048)) {
                    time("Sign " + SIGNED_DATA + " bytes with RSA AK (Hash + Sign)", () -> tpm.sign(ak, signedData));
                }
            }
        }
        System.out.printf("swtpm %s, %d runs each (first run included), milliseconds%n", "0.7", runs);
        System.out.printf("%-66s %8s %8s %8s%n", "operation", "median", "min", "max");
        report.forEach(System.out::println);
    }

    private void time(String name, Step step) throws Exception {
        List<Double> millis = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            step.run();
            millis.add((System.nanoTime() - start) / 1e6);
        }
        record(name, millis);
    }

    /** Times creating something; closing it afterwards is not timed. */
    private void timeWithCleanup(String name, ThrowingSupplier<? extends AutoCloseable> create) throws Exception {
        List<Double> millis = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            AutoCloseable created = create.get();
            millis.add((System.nanoTime() - start) / 1e6);
            created.close();
        }
        record(name, millis);
    }

    @FunctionalInterface
    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    private void record(String name, List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        report.add(String.format("%-66s %8.2f %8.2f %8.2f", name, median, sorted.get(0), sorted.get(sorted.size() - 1)));
    }

    private static KeyPairGenerator p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator;
    }
}
