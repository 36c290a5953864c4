package org.vtpmmigrate.console.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import com.google.gson.GsonBuilder;

import org.vtpmmigrate.management.HostEvidence;

/**
 * Writes a host's evidence to a directory, each piece in the form the usual tools read
 * (tpm2_checkquote, tpm2_eventlog, keylime): the quote and signature as the TPM made them, the AK
 * public area, the logs as the host keeps them, the EK chain as DER, the evidence as JSON, and the
 * console's findings as text.
 */
public final class EvidenceExport {
    private EvidenceExport() {
    }

    /**
     * @return the files written
     * @throws IOException if the directory cannot be created or a file cannot be written; files of an
     *         earlier export of the same host are overwritten
     */
    public static List<Path> write(EvidenceReport report, Path directory) throws IOException {
        Files.createDirectories(directory);
        HostEvidence e = report.evidence();
        Base64.Decoder b64 = Base64.getDecoder();
        String prefix = report.hostId() + "-";
        List<Path> written = new ArrayList<>();
        written.add(write(directory.resolve(prefix + "quote.msg"), b64.decode(e.quoted())));
        written.add(write(directory.resolve(prefix + "quote.sig"), b64.decode(e.signature())));
        written.add(write(directory.resolve(prefix + "ak.pub"), b64.decode(e.akPublic())));
        written.add(write(directory.resolve(prefix + "nonce.hex"),
                HexFormat.of().formatHex(report.nonce()).getBytes(StandardCharsets.US_ASCII)));
        if (e.eventLog() != null) {
            written.add(write(directory.resolve(prefix + "binary_bios_measurements"), b64.decode(e.eventLog())));
        }
        if (e.imaLog() != null) {
            written.add(write(directory.resolve(prefix + "ascii_runtime_measurements"), b64.decode(e.imaLog())));
        }
        for (int i = 0; i < e.ekCertificateChain().size(); i++) {
            written.add(write(directory.resolve(prefix + "ek-chain-" + i + ".der"),
                    b64.decode(e.ekCertificateChain().get(i))));
        }
        written.add(write(directory.resolve(prefix + "evidence.json"), new GsonBuilder().setPrettyPrinting()
                .disableHtmlEscaping().create().toJson(e).getBytes(StandardCharsets.UTF_8)));
        written.add(write(directory.resolve(prefix + "findings.txt"), report.describe().getBytes(StandardCharsets.UTF_8)));
        return written;
    }

    private static Path write(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        return file;
    }
}
