/** Handlers of the application model's commands. */
package org.vtpmmigrate.console.handlers;
