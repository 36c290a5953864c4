package org.vtpmmigrate.management;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vtpmmigrate.testsupport.TestData;

/**
 * Evidence from a real swtpm (test data quotes/swtpm/valid_with_eventlog): the quote, its signature, the
 * AK, the quoted PCRs, the boot event log, an IMA log and the EK certificate chain, so the API carries real
 * payloads of real sizes.
 */
final class RealEvidence {
    private static final Pattern BANK = Pattern.compile("^\\s{2}(sha1|sha256|sha384):\\s*$");
    private static final Pattern PCR = Pattern.compile("^\\s{4}(\\d+)\\s*:\\s*0x([0-9A-Fa-f]+)\\s*$");

    final byte[] nonce;
    final byte[] quoted;
    final byte[] signature;
    final byte[] akPublic;
    final byte[] akName;
    final byte[] eventLog;
    final byte[] imaLog;
    final List<byte[]> ekCertificateChain;
    final List<HostEvidence.PcrValue> pcrs;

    private RealEvidence() throws IOException, CertificateException {
        Path quote = TestData.resolve("quotes/swtpm/valid_with_eventlog");
        Path common = TestData.resolve("quotes/swtpm/common");
        nonce = HexFormat.of().parseHex(Files.readString(quote.resolve("nonce.hex")).trim());
        quoted = Files.readAllBytes(quote.resolve("quote.msg"));
        signature = Files.readAllBytes(quote.resolve("quote.sig"));
        akPublic = Files.readAllBytes(common.resolve("ak.pub.tss"));
        akName = Files.readAllBytes(common.resolve("ak.name"));
        eventLog = Files.readAllBytes(quote.resolve("eventlog.bin"));
        imaLog = Files.readAllBytes(TestData.resolve("ima/rust-keylime/ascii_runtime_measurements"));
        List<byte[]> chain = new ArrayList<>();
        chain.add(Files.readAllBytes(common.resolve("ek_rsa_cert.der")));
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        for (String pem : List.of("swtpm-localca-issuercert.pem", "swtpm-localca-rootca-cert.pem")) {
            try (InputStream in = Files.newInputStream(common.resolve(pem))) {
                chain.add(x509.generateCertificate(in).getEncoded());
            }
        }
        ekCertificateChain = List.copyOf(chain);
        pcrs = parsePcrs(Files.readAllLines(quote.resolve("quote.stdout.yaml")));
    }

    static RealEvidence load() {
        try {
            return new RealEvidence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertificateException e) {
            throw new IllegalStateException("EK certificate chain of the test data does not parse", e);
        }
    }

    /** The {@code pcrs:} section of tpm2_quote's output. */
    private static List<HostEvidence.PcrValue> parsePcrs(List<String> lines) {
        List<HostEvidence.PcrValue> values = new ArrayList<>();
        String bank = null;
        boolean inPcrs = false;
        for (String line : lines) {
            if (line.startsWith("pcrs:")) {
                inPcrs = true;
                continue;
            }
            if (!inPcrs) {
                continue;
            }
            if (!line.startsWith(" ")) {
                break;
            }
            Matcher bankLine = BANK.matcher(line);
            Matcher pcrLine = PCR.matcher(line);
            if (bankLine.matches()) {
                bank = bankLine.group(1);
            } else if (pcrLine.matches() && bank != null) {
                values.add(new HostEvidence.PcrValue(bank, Integer.parseInt(pcrLine.group(1)),
                        pcrLine.group(2).toLowerCase(Locale.ROOT)));
            }
        }
        if (values.isEmpty()) {
            throw new IllegalStateException("no PCR values in quote.stdout.yaml");
        }
        return List.copyOf(values);
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
