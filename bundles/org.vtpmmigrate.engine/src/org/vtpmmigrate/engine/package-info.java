/** The engine agent's service API, used by the console, the CLI and management clients. */
@org.osgi.annotation.versioning.Version("0.1.0")
package org.vtpmmigrate.engine;
