/** The e4 parts (POJOs, model in the application context) and the building blocks they share. */
package org.vtpmmigrate.console.parts;
