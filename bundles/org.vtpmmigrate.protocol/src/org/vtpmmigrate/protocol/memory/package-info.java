/**
 * An in-memory link that runs both ends of a migration against each other through a fault
 * injector: for tests, the attack suite and benchmarks.
 */
package org.vtpmmigrate.protocol.memory;
