/**
 * Test support shared by all test bundles: a real swtpm process with a private local CA
 * ({@link org.vtpmmigrate.testsupport.SwtpmProcess}), external command runs
 * ({@link org.vtpmmigrate.testsupport.ProcessResult}), what tpm2-tools print
 * ({@link org.vtpmmigrate.testsupport.Tpm2ToolsOutput}), the shared test data
 * ({@link org.vtpmmigrate.testsupport.TestData}) and waiting on conditions instead of sleeping
 * ({@link org.vtpmmigrate.testsupport.Await}).
 */
package org.vtpmmigrate.testsupport;
