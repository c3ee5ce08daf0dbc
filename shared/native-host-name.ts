/**
 * Names that tie the extension and the native host together. The browser starts
 * the host by NATIVE_HOST_NAME and lets only the listed extension ids talk to it,
 * so install-host and the extension's manifest must agree on all three.
 */

/** Reverse-DNS name of the native-messaging host (lower case, dots and underscores only). */
export const NATIVE_HOST_NAME = 'be.eidbridge.host';

/**
 * The Chromium extension id. It follows from the public key in the manifest's
 * "key" (first 128 bits of SHA-256 of the DER key, hex digits 0-f written a-p);
 * a unit test recomputes it from CHROME_EXTENSION_PUBLIC_KEY.
 */
export const CHROME_EXTENSION_ID = 'jjikbomlaipopmfbbdjnfffmkcdjliff';

/** The manifest "key" (base64 DER SubjectPublicKeyInfo) that fixes CHROME_EXTENSION_ID. Public by design. */
export const CHROME_EXTENSION_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwsgPZeiK5gfuSO6T3Tq3PzMM0XTYryoEeJ91DKd0pksIF8YGGnzXzTKNDCaJbJDLxHianp9GupDcYCCmblx69cPqJMgOaO2m8H4AZw+yRys5f7G/AWtAEbMgwXp5gmSVBebj+7xHJYFqw2zc8QUngcTNFq3IILhEvXW2z0UnMgFO3dSLQs0Xrs72cEi0qQgrrMqyxg3XO1MnRkUZdBv9xMAnzd9Hij9y2WAJ79sI79hFCpwysTnbpqho3PTx0KnPHuNgZ5vwHb6hgYOjgj62OQvo+vVaJIQH/hjg5VN6WyPG1cICpWGp3FUWkuugg1Dn4D6IYJSmWrCXUnczs1p7lQIDAQAB';

/** The Firefox (gecko) add-on id. */
export const GECKO_EXTENSION_ID = 'eid-bridge@eidbridge.be';

/** What the host manifest's allowed_origins lists for Chromium browsers. */
export const CHROME_EXTENSION_ORIGIN = `chrome-extension://${CHROME_EXTENSION_ID}/`;
