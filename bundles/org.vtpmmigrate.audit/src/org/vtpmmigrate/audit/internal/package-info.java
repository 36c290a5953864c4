/**
 * Implementation of the audit log: the signed encoding and check values, the canonical JSON
 * line, line splitting, the chain verification and the AK signature check. Not API.
 */
package org.vtpmmigrate.audit.internal;
