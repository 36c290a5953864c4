/**
 * The console's state apart from any widget: settings and identity, the agents and what they last
 * said ({@link org.vtpmmigrate.console.model.AgentRegistry}), evidence as the console checked it
 * ({@link org.vtpmmigrate.console.model.EvidenceReport}), verified attestation logs, migrations being
 * followed. Calls to agents run in jobs; changes are announced through
 * {@link org.vtpmmigrate.console.model.ModelEvents}.
 */
package org.vtpmmigrate.console.model;
