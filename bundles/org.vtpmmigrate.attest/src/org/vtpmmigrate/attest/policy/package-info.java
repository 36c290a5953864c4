/**
 * Integrity policies and their evaluation: what a host's evidence (quote, boot event log, IMA
 * log, VM launch measurements, EK certificate) must show before the host is trusted, following
 * Keylime's two tiers: the quote checks of {@link org.vtpmmigrate.attest.tpm2} say whether the
 * evidence is authentic; a {@link org.vtpmmigrate.attest.policy.Verdict} lists every way it
 * departs from the {@link org.vtpmmigrate.attest.policy.Policy}, each
 * {@link org.vtpmmigrate.attest.policy.Finding} tagged ERROR or WARNING.
 * <p>
 * Entry points: {@link org.vtpmmigrate.attest.policy.PolicyJson} (files),
 * {@link org.vtpmmigrate.attest.policy.PolicyEvaluator} (verdicts),
 * {@link org.vtpmmigrate.attest.policy.PolicyGenerator} (a policy from a host's current evidence),
 * {@link org.vtpmmigrate.attest.policy.KeylimeRuntimePolicy} (IMA allowlists from Keylime),
 * {@link org.vtpmmigrate.attest.policy.EvidenceDirectory} (evidence captured with tpm2-tools).
 */
package org.vtpmmigrate.attest.policy;
