/** Finding engine agents: the static inventory file and DNS-SD. */
@org.osgi.annotation.versioning.Version("0.1.0")
package org.vtpmmigrate.discovery;
