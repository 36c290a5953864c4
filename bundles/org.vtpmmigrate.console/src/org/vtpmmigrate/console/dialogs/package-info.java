/** Dialogs of the console: preferences, adding a host, enrolment, the migration wizard, paths and host choices. */
package org.vtpmmigrate.console.dialogs;
