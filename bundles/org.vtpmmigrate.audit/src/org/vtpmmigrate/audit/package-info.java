/**
 * The attestation audit log: per host, an append-only file of records, each hash-chained to the
 * one before and signed by the host's attestation key (AK), written by {@link
 * org.vtpmmigrate.audit.AuditLogWriter} and checked offline, without a TPM, by {@link
 * org.vtpmmigrate.audit.AuditLogVerifier}; {@link org.vtpmmigrate.audit.AuditCharts} turns records
 * into chart data.
 *
 * <h2>File</h2>
 * UTF-8 JSON Lines: one record per line, each line ends with {@code \n} and is at most
 * {@value org.vtpmmigrate.audit.AuditRecord#MAX_LINE_BYTES} bytes. Line 1 is the header record:
 * sequence 0, kind {@code LOG_OPENED}, carrying {@code akPublic} (TPM2B_PUBLIC, hex),
 * {@code akName} and optionally {@code ekCert} (DER, hex). A last line without newline is an
 * interrupted write.
 *
 * <h2>Line</h2>
 * One JSON object, no whitespace, keys in this order, optional keys left out when empty:
 * <pre>
 * seq        integer, 0 for the header, then +1 per record
 * time       "yyyy-MM-ddTHH:mm:ss.SSSZ" (UTC)
 * host       identifier: 1-128 printable ASCII characters, no space
 * kind       EventKind name
 * migration, vm, peer   identifiers (optional)
 * role       "SOURCE" | "DESTINATION" (optional)
 * phases     [{"phase":MigrationPhase,"start":time,"ms":integer}, ...] in phase order (optional)
 * bytes      {"vmStream":integer,"vtpmState":integer,"onWire":integer} (optional)
 * rounds     [{"round":integer,"bytes":integer,"ms":integer}, ...] ascending round (optional)
 * verdict    "TRUSTED" | "REFUSED" (ATTESTATION_VERDICT records only)
 * reasons    [{"severity","category","subject","expected","actual","message"}, ...] (optional)
 * details    {"key":"value", ...} keys ascending, [a-z0-9][a-z0-9._-]{0,63} (optional)
 * akPublic, akName, ekCert   lower-case hex (header only; ekCert optional)
 * prev       hex, the previous record's hash; 64 zeros in the header
 * hash       hex, SHA-256 of the signed encoding below
 * check      hex, 18 check values of 4 bytes (see below)
 * sig        hex, TPMT_SIGNATURE by the AK (SHA-256 scheme) over the signed encoding
 * </pre>
 * Integers are written without sign, fraction or exponent; strings escape only {@code "} and
 * {@code \} (with a backslash) and U+0000..U+001F, U+007F (as {@code \}{@code u00xx}). A line
 * that means the same in another spelling is refused: every byte is fixed.
 *
 * <h2>Signed encoding (what hash and signature cover)</h2>
 * The ASCII label {@code "vTPM-Migrate audit record v1"} and a zero byte, then each present
 * field as tag (1 byte), length (4 bytes big-endian), value, in tag order: seq 0x01, time 0x02,
 * host 0x03, kind 0x04, migration 0x05, vm 0x06, peer 0x07, role 0x08, phases 0x09, bytes 0x0A,
 * rounds 0x0B, verdict 0x0C, reasons 0x0D, details 0x0E, akPublic 0x10, akName 0x11, ekCert
 * 0x12, prev 0x1F. Values: integers and times (epoch milliseconds) as 8-byte big-endian;
 * text and enumeration names as UTF-8; binary as is; bytes as three 8-byte integers; phases,
 * rounds, reasons and details as a 4-byte count followed by their items, each item's integers
 * fixed-size (round number 4 bytes, others 8) and each text as 4-byte length and UTF-8, in the
 * order of the JSON keys above. A binary encoding rather than canonical JSON: it is defined
 * without JSON's choices (escapes, number forms, key order), another implementation can build it
 * from the parsed values alone, and the TPM hashes exactly these bytes. The label keeps the
 * first byte away from TPM_GENERATED_VALUE, so a restricted AK signs it, and separates these
 * signatures from anything else the AK signs.
 * <p>
 * Check value of a field: the first 4 bytes of SHA-256 over its tag-length-value, or over the tag
 * byte alone when absent. They are not signed (they follow from the content): when a record no
 * longer matches its hash, the fields whose check values differ are the ones that changed.
 *
 * <h2>Signature</h2>
 * TPM2_Sign with the AK over the record hash, the digest coming from TPM2_Hash (or a hash
 * sequence) over the signed encoding with a hash-check ticket: see {@link
 * org.vtpmmigrate.audit.RecordSigner}. The verifier accepts RSASSA, RSAPSS and ECDSA signatures
 * with SHA-256 from a restricted fixedTPM signing key, and no quotes.
 *
 * <h2>Verification</h2>
 * Each line gets a {@link org.vtpmmigrate.audit.RecordStatus}. Sequence and links are judged by
 * sequence number over the whole file: record n must link to the stored (or recomputed) hash of
 * record n-1, wherever that is. A deleted record makes its successor GAP, a record placed after a
 * later one is REORDERED, a second copy is REORDERED (replay), a changed field is BROKEN_CHAIN
 * naming the field, a changed signature BAD_SIGNATURE, an interrupted last line MALFORMED. Not
 * detectable from the file alone: records removed from the end at a line boundary, or a whole
 * log replaced by one consistently re-signed with another key (pass the enrolled AK to
 * {@link org.vtpmmigrate.audit.AuditLogVerifier#verify(java.nio.file.Path, org.vtpmmigrate.attest.tpm2.TpmPublic)}
 * to catch the latter; remember the last record hash elsewhere to catch the former).
 */
package org.vtpmmigrate.audit;
