/**
 * The management API of a vTPM Migrate engine agent: HTTPS + JSON with mutual TLS, for the console,
 * the CLI and other agents.
 * <ul>
 * <li>{@link org.vtpmmigrate.management.ManagementService}: the contract, one method per endpoint under
 * {@code /v1/}; DTOs are records whose component names are the JSON field names (permanent API).</li>
 * <li>{@link org.vtpmmigrate.management.ManagementServer} and
 * {@link org.vtpmmigrate.management.ManagementClient}: the two ends.</li>
 * <li>{@link org.vtpmmigrate.management.AdministratorCa} and
 * {@link org.vtpmmigrate.management.TlsCredentials}: the administrator CA, issuing and loading the
 * certificates both ends authenticate with.</li>
 * </ul>
 * JSON conventions: opaque bytes are standard base64 with padding; digests, PCR values and TPM names are
 * lower-case hex; instants are ISO-8601 UTC text ({@code 2025-01-31T12:00:00Z}); enumerated values are
 * upper-case tokens (clients must tolerate values added later); optional fields are {@code null}. Requests
 * with unknown fields are refused; clients ignore unknown response fields, so later versions add fields
 * (nullable ones) without a new path version.
 */
package org.vtpmmigrate.management;
