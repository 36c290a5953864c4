/**
 * The attested vTPM-VM migration protocol (docs/PROTOCOL.md) as pure state machines: a
 * {@link org.vtpmmigrate.protocol.SourceSession} and a {@link org.vtpmmigrate.protocol.DestinationSession}
 * take messages in and give messages out. They do no I/O, never sleep and read time only from an
 * injected clock, so the same sessions run over TCP ({@link org.vtpmmigrate.protocol.ConnectionDriver},
 * {@link org.vtpmmigrate.protocol.RecordWriter}, {@link org.vtpmmigrate.protocol.RecordReader}), in
 * memory and under fault injection ({@link org.vtpmmigrate.protocol.memory.InMemoryLink}). The local
 * TPM is reached through {@link org.vtpmmigrate.protocol.PlatformAttestor}; the peer's evidence is
 * judged by an {@link org.vtpmmigrate.protocol.EvidenceVerifier}.
 *
 * <h2>Messages, version 1 (two round trips before the first record)</h2>
 * <pre>
 *  S -&gt; D  MIGRATION_REQUEST(id, vm, policy id+digest, vTPM epoch, suites)  ATTESTATION_CHALLENGE(nS, selD)
 *  D -&gt; S  MIGRATION_ACCEPT(suite, offer as received)  ATTESTATION_EVIDENCE(quote over nS)
 *          ATTESTATION_CHALLENGE(nD, selS)  BOUND_KEY_OFFER(K_bind public, Certify(qualifyingData = TH1))
 *  S -&gt; D  ATTESTATION_EVIDENCE(quote over nD, launch measurements)  KEY_EXCHANGE(eph.pub)  KEY_CONFIRM(macS)
 *  D -&gt; S  KEY_CONFIRM(macD)
 *  S -&gt; D  DATA_RECORD ... END_OF_STREAM(count, bytes, stream digest)
 *  D -&gt; S  COMMIT(count, bytes, digest, AK_D signature)
 *  S -&gt; D  COMMIT_ACK(mac)
 *  either  ABORT(reason, detail[, mac]) ends the run at any point
 * </pre>
 * The source verifies the destination (evidence, then bound key) before it quotes itself, so an
 * unverified destination learns nothing about the source. The destination creates the bound key in
 * its first flight, before it has verified the source, to save a round trip; the key is flushed
 * when the run ends either way.
 *
 * <h2>Transcript and keys</h2>
 * The transcript is SHA-256 over every handshake frame (request to the destination's KEY_CONFIRM)
 * in order, as encoded on the wire. TH1 = transcript before BOUND_KEY_OFFER: certifying over it
 * binds the key to this run's nonce, offer and evidence. Z = ECDH x-coordinate (source: software
 * ephemeral key; destination: TPM2_ECDH_ZGen, refused when the PCRs changed). PRK =
 * HKDF-Extract(salt = TH2 = transcript through KEY_EXCHANGE, Z); AES-GCM keys per direction and
 * HMAC-SHA256 confirmation keys per direction are expanded with distinct labels. macS =
 * HMAC(source confirmation key, TH2); macD = HMAC(destination confirmation key, TH3 = transcript
 * through macS). Any substitution (key, ephemeral key, offer, challenge) makes the transcripts
 * differ and the confirmation fail. MIGRATION_ACCEPT echoes the offer, so a shortened offer is
 * reported as a downgrade at once.
 *
 * <h2>Records</h2>
 * DATA_RECORD body = sequence u64 | record type u8 | sealed (u32 length | ciphertext | 16-byte tag),
 * at most 64 KiB of payload. AES-GCM nonce = 4-byte direction | 8-byte sequence; associated data =
 * migration id | record type | sequence. The receiver builds the nonce from the sequence it expects
 * and compares the one on the wire only to name a drop, reorder or replay. The stream digest is
 * SHA-256 chained over sequence, type, length and tag of every data record (the tags commit to the
 * plaintext under the session key, so the whole stream is named without hashing it again); the
 * END_OF_STREAM record carries count, bytes and digest, so a stream cut at a record boundary is
 * detected too.
 *
 * <h2>Commit</h2>
 * The destination signs label | migration id | handshake hash | count | bytes | digest with AK_D.
 * The source stops its VM only on a valid Commit and acknowledges it with a MAC. A destination
 * whose Commit is not acknowledged (and that got no authenticated Abort) cannot know whether the
 * source committed: {@link org.vtpmmigrate.protocol.DestinationSession#commitInDoubt()} tells the
 * engine to keep the state paused instead of discarding it. Aborts sent after key confirmation
 * carry an HMAC, so a forged Abort cannot pass for the source's "no".
 *
 * <h2>Timeouts</h2>
 * Every waiting state has a deadline from {@link org.vtpmmigrate.protocol.Timeouts} (handshake
 * steps, transfer idle time, commit); the driver calls
 * {@link org.vtpmmigrate.protocol.MigrationSession#onTimeout} and the session decides with its clock.
 */
package org.vtpmmigrate.protocol;
