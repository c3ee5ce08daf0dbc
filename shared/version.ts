/** The version of eID Bridge (extension, host and backend ship together). Kept equal to package.json by a test. */
export const VERSION = '0.1.0';
