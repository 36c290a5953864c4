/**
 * Test support shared by all test bundles: a real swtpm process ({@link org.vtpmmigrate.testsupport.SwtpmProcess}),
 * external command runs ({@link org.vtpmmigrate.testsupport.ProcessResult}), the shared test data
 * ({@link org.vtpmmigrate.testsupport.TestData}) and waiting on conditions instead of sleeping
 * ({@link org.vtpmmigrate.testsupport.Await}).
 */
package org.vtpmmigrate.testsupport;
