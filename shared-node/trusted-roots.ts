/**
 * The roots that may issue the RRN certificate, and so the only ones under
 * which identity data counts as verified: the real Belgian eID roots, built
 * in, and test roots only when someone configures them
 * (EID_BRIDGE_TRUSTED_ROOTS, or `--trust CERT` on the command line). A test
 * root is never trusted by default.
 *
 * The built-in certificates are the public, self-signed roots published by the
 * Belgian government (repository.eid.belgium.be, repository.eidpki.belgium.be).
 * Their SHA-256 fingerprints are listed with them and checked at load time, so
 * a damaged constant cannot silently become a different trust anchor.
 *
 * How they were checked when added: CA6 is the key that signed the Citizen CA
 * (serialNumber 202002) published with the official eID middleware (a test
 * repeats this); CA4's 2032 issue has the fingerprint an independent validation
 * report gives for "Belgium Root CA4", and shares its key with the 2028 issue
 * shipped by the official eID viewer; CA3 appears byte for byte in two
 * unrelated projects.
 *
 * The issuing CAs below the roots (Citizen CA, Foreigner CA) are built in too,
 * so that checking a real card needs no fetch of its issuer from the address
 * in its certificate. Each is pinned by its SHA-256 and must verify under the
 * built-in root it names; both checks run at load time.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export interface BuiltInRoot {
  name: string;
  description: string;
  /** SHA-256 of the DER certificate, upper-case hex */
  sha256: string;
  /** The certificate, DER in base64 (one line: roots that share a key would otherwise repeat whole PEM lines). */
  der: string;
}

/** A built-in issuing CA: a root's fields plus the root that signed it. */
export interface BuiltInIssuingCa extends BuiltInRoot {
  /** The name of the built-in root that signed it. */
  issuer: string;
}

export const BELGIAN_ROOTS: readonly BuiltInRoot[] = [
  {
    name: 'Belgium Root CA6',
    description: 'EC P-384, 2020–2040; applet 1.8 cards',
    sha256: '9C872BC979A7C09A58D4A274C199E5CB16CFA9B9618D98BC9A9988E984B8495C',
    der:
      'MIIDaDCCAu2gAwIBAgIUcYtX/2tpPlocI17Yh6PvUfQBDyYwCgYIKoZIzj0EAwMwgeAxCzAJBgNVBAYTAkJFMREwDwYDVQQHDAhCcnVzc2VsczEwMC4GA1UECgwnS2luZ2RvbSBvZiBCZWxnaXVtIC0gRmVkZXJhbCBHb3Zlcm5tZW50MTYwNAYDVQQLDC1GUFMgSG9tZSBBZmZhaXJzIC0gQklLLUdDSSAoTlRSQkUtMDM2MjQ3NTUzOCkxOTA3BgNVBAsMMEZQUyBQb2xpY3kgYW5kIFN1cHBvcnQgLSBCT1NBIChOVFJCRS0wNjcxNTE2NjQ3KTEZMBcGA1UEAwwQQmVsZ2l1bSBSb290IENBNjAeFw0yMDA2MDMxMDAxMzFaFw00MDA2MDMxMDAxMzFaMIHgMQswCQYDVQQGEwJCRTERMA8GA1UEBwwIQnJ1c3NlbHMxMDAuBgNVBAoMJ0tpbmdkb20gb2YgQmVsZ2l1bSAtIEZlZGVyYWwgR292ZXJubWVudDE2MDQGA1UECwwtRlBTIEhvbWUgQWZmYWlycyAtIEJJSy1HQ0kgKE5UUkJFLTAzNjI0NzU1MzgpMTkwNwYDVQQLDDBGUFMgUG9saWN5IGFuZCBTdXBwb3J0IC0gQk9TQSAoTlRSQkUtMDY3MTUxNjY0NykxGTAXBgNVBAMMEEJlbGdpdW0gUm9vdCBDQTYwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAAR532ARaLVsPSf5Pz9+b5ExaxpCe8iGGkDgkbUlGM0ulbr0YqbKva7EoOAY+YL5ZJs8S0KIsuQNc0f2vgI8xcyPQHgeCaLcw0OzvmfCHf/OMOIozEKgKaAK6pHvaBXP0tijZjBkMBIGA1UdEwEB/wQIMAYBAf8CAQEwHwYDVR0jBBgwFoAULqCIsAsNYonsHT/Un8ySRI5IaUYwHQYDVR0OBBYEFC6giLALDWKJ7B0/1J/MkkSOSGlGMA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAwNpADBmAjEAt2e2vVG4/aMjIokbQQuCnvI8so8rZl/IbKupMCJitfFi7oVlHllYFDdYMDTKWLZgAjEAsa2wuz3Ew6/68XXtIT+51snqkl2KLlaVgKXYlpTh2zqQBIBdKO1nMO/rQRfuZ701',
  },
  {
    name: 'Belgium Root CA4',
    description: 'RSA-4096, re-issued to 2032; applet 1.7 cards',
    sha256: '702DD5C1A093CF0A9D71FADD9BF9A7C5857D89FB73B716E867228B3C2BEB968F',
    der:
      'MIIFjjCCA3agAwIBAgIITzMgjMWUvzgwDQYJKoZIhvcNAQELBQAwKDELMAkGA1UEBhMCQkUxGTAXBgNVBAMTEEJlbGdpdW0gUm9vdCBDQTQwHhcNMTMwNjI2MTIwMDAwWhcNMzIxMDIyMTIwMDAwWjAoMQswCQYDVQQGEwJCRTEZMBcGA1UEAxMQQmVsZ2l1bSBSb290IENBNDCCAiIwDQYJKoZIhvcNAQEBBQADggIPADCCAgoCggIBAJiQrvrHHm+O4AU6syN4TNHWL911PFsY6E9euwVml5NAWTdw9p2mcmEOYGx424jFLpSQVNxxxoh3LsIpdWUMRQfuiDqzvZx/4dCBaeKL/AMRJuL1d6wU73XKSkdDr5uH6H2Yf19zSiUOm2x4k3aNLyT+VryF11b1Prp67CBk63OBmG0WUaB+ExtBHOkfPaHRHFA04MigoVFt3gLQRGh1V+H1rm1hydTzd6zzpoJHp3ujWD4r4kLCrxVFV0QZ44usvAPlhKoecF0feiKtegS1pS+FjGHA9S85yxZknEV8N6bbK5YP7kgNLDDCNFJ6G7MMpf8MEygXWMb+WrynTetWnIV6jTzZA1RmaZuqmIMDvWTA7JNkiDJQOJBWQ3Ehp+Vn7li1MCIjXlEDYJ2wRmcRZQ0bsUzaM/V3p+Q+j8S3osma3Pc6+dDzxL+Og/lnRnLlDapXx28XB9urUR5H03Ozm77B9/mYgIeM8Y1XntlCCELBeuJeEYJUqc0FsGxWNwjsBtRoZ4dva1rvzkXmjJuNIR4YILg8G4kKLhr9JDrtyCkvI9Xm8GDjqQIJ2KpQiJHBLJA0gKxlYem8CSO/an3AOxqTNZjWbQx6E32OPB/rsU28ldadi9c8yeRyXLWpUF4Ghjyoc4OdrAkXmljnkzLMC459xGL8gj6LyNb6UzX0eYA9AgMBAAGjgbswgbgwDgYDVR0PAQH/BAQDAgEGMA8GA1UdEwEB/wQFMAMBAf8wQgYDVR0gBDswOTA3BgVgOAwBATAuMCwGCCsGAQUFBwIBFiBodHRwOi8vcmVwb3NpdG9yeS5laWQuYmVsZ2l1bS5iZTAdBgNVHQ4EFgQUZ+jxTk+ztfMHbwicDIPZetlb50kwEQYJYIZIAYb4QgEBBAQDAgAHMB8GA1UdIwQYMBaAFGfo8U5Ps7XzB28InAyD2XrZW+dJMA0GCSqGSIb3DQEBCwUAA4ICAQBe3CQAZrNwVZ9Ll3nFWkaKDvMwOE2s1NysTfocGUwyd6c01qsSN52BhRqpaSEWLeSXAfPQK+f57M1hXLNVE8VMf1Vtc0ge+VgjKOWLJ+4d0CAk8VIAK55NUkrSbu4pn+osfD/He0jfECKyq9xrhbn4yxZ/d5qj8RSj+aPmCoX/kaODZmug+AfzY+TXeJgjn8eEQGO8zDJoV/hdUuotkf8eQXeuRhoCuvipBm7vHqEA946NuVtRUmaztLUR9CkbSZ1plWWmqKC+QKErWzvBeswrWxzaRoW9Un7qCSmiO9ddkEHVRHibkUQvPn8kGdG/uOmmRQsbjFuARNCMWS4nHc6TTw7dJgkeZjZiqPl22ifsWJsR/w/VuJMA4kSot/h6qQV9Eglo4ClRlEk3yzbKkcJkLKk6lA90/u46KsqSC5MgUeFjER398iXqpDpT8BzIMovMzHlK7pxTJA5cWXN2a8OMhYCA/Kb6dqIXIi8NKsqzVMXJfX65DM2gWA8rjicJWoooqLhUKuZ6tSWA6If2TRr7MfQsVDhwwUk6mvEIaBJBcyOWH8XgyY6uuHuvGe8CkK+Yk4X2TiE+7GuQe4YVJ/MOGdS3V1eZwPmWSu++azOOFrwoZpIPKOwjbsuLbs0xt6BwWW2XFP025BDh/OD6UE4VsyznnUCkb4AbS947UX6NGA==',
  },
  {
    name: 'Belgium Root CA4',
    description: 'RSA-4096, first issue, to 2028 (same key)',
    sha256: 'C3FBF37259AF0954EEEA4282DD1C7226A54E7150F7C29A2C495BA34DBFE09CA0',
    der:
      'MIIFjjCCA3agAwIBAgIITzMgjMWUvzgwDQYJKoZIhvcNAQELBQAwKDELMAkGA1UEBhMCQkUxGTAXBgNVBAMTEEJlbGdpdW0gUm9vdCBDQTQwHhcNMTMwNjI2MTIwMDAwWhcNMjgwMTI4MTIwMDAwWjAoMQswCQYDVQQGEwJCRTEZMBcGA1UEAxMQQmVsZ2l1bSBSb290IENBNDCCAiIwDQYJKoZIhvcNAQEBBQADggIPADCCAgoCggIBAJiQrvrHHm+O4AU6syN4TNHWL911PFsY6E9euwVml5NAWTdw9p2mcmEOYGx424jFLpSQVNxxxoh3LsIpdWUMRQfuiDqzvZx/4dCBaeKL/AMRJuL1d6wU73XKSkdDr5uH6H2Yf19zSiUOm2x4k3aNLyT+VryF11b1Prp67CBk63OBmG0WUaB+ExtBHOkfPaHRHFA04MigoVFt3gLQRGh1V+H1rm1hydTzd6zzpoJHp3ujWD4r4kLCrxVFV0QZ44usvAPlhKoecF0feiKtegS1pS+FjGHA9S85yxZknEV8N6bbK5YP7kgNLDDCNFJ6G7MMpf8MEygXWMb+WrynTetWnIV6jTzZA1RmaZuqmIMDvWTA7JNkiDJQOJBWQ3Ehp+Vn7li1MCIjXlEDYJ2wRmcRZQ0bsUzaM/V3p+Q+j8S3osma3Pc6+dDzxL+Og/lnRnLlDapXx28XB9urUR5H03Ozm77B9/mYgIeM8Y1XntlCCELBeuJeEYJUqc0FsGxWNwjsBtRoZ4dva1rvzkXmjJuNIR4YILg8G4kKLhr9JDrtyCkvI9Xm8GDjqQIJ2KpQiJHBLJA0gKxlYem8CSO/an3AOxqTNZjWbQx6E32OPB/rsU28ldadi9c8yeRyXLWpUF4Ghjyoc4OdrAkXmljnkzLMC459xGL8gj6LyNb6UzX0eYA9AgMBAAGjgbswgbgwDgYDVR0PAQH/BAQDAgEGMA8GA1UdEwEB/wQFMAMBAf8wQgYDVR0gBDswOTA3BgVgOAwBATAuMCwGCCsGAQUFBwIBFiBodHRwOi8vcmVwb3NpdG9yeS5laWQuYmVsZ2l1bS5iZTAdBgNVHQ4EFgQUZ+jxTk+ztfMHbwicDIPZetlb50kwEQYJYIZIAYb4QgEBBAQDAgAHMB8GA1UdIwQYMBaAFGfo8U5Ps7XzB28InAyD2XrZW+dJMA0GCSqGSIb3DQEBCwUAA4ICAQAliTyrUcumj9h1IRKZNIKlt2hAyNW1jdkYz+fJ57PDOqtpsvmfoZmuP+6rSbhDi1J9pfi7Yc9fIDwxGwfkiPJAiRBl1axdtpnkoAMEcxQonLnxMiS6/n6nQqIXpb0O34YAYANJn5Lujd5V9I+iv5rrzXjvcZPNxgEB3x6fJdpVapbokhgrDrg1g7XqEY+JYiJPmv7dXIzhZ6lN29foBzoik1o6Wp4UnC4UsFTgx/hN56cjkdXMCR9JHQMWmcCzkk2ZUN2SPYL14xK3dCHAdPclmjVoUSZoyXEoHM14FTvV1Ode1UCJB/EE0l9M8HQapVXIUhSmqO1R+A3RD8cvjP9P5FDoxCmeGTrqcXKIj1qWs7gsrXZ0yDCs7HyST5/oM+GQ9OLhU9wrH4cMwW8NsORyCqZqeghSbd5hE+Almj4SmxjPht7krtQXRGebf5o6q+RLHXnFCzBtqJeA6U6Apr1SrSvEpkOXLIVs2nt8o/YpAoUMxOrwPRwbjqfl0UUS6IvKZhALeMBe6GvXpMiTqmlta7cD13yKJQBAvzuE3QJMPY0XAis6CWA3zUVbznuQ2Vtk0MBtlQEb+w3OsUh4eIg/AkONJ4/24AFfOzklmB7k93t7Xa/YuVWb8go37wtq/A9HvFieImuusfghZ6EU9pvUPmL62NPY54g+nFm2qMtMWQ==',
  },
  {
    name: 'Belgium Root CA3',
    description: 'RSA-4096, to 2028; older RSA cards',
    sha256: 'A8D14E945E3E5156BCAE5E39737CF6A1B1F51028BBBF982F50CE5F4C05568B4D',
    der:
      'MIIFjjCCA3agAwIBAgIIOyEC3pZbHakwDQYJKoZIhvcNAQEFBQAwKDELMAkGA1UEBhMCQkUxGTAXBgNVBAMTEEJlbGdpdW0gUm9vdCBDQTMwHhcNMTMwNjI2MTIwMDAwWhcNMjgwMTI4MTIwMDAwWjAoMQswCQYDVQQGEwJCRTEZMBcGA1UEAxMQQmVsZ2l1bSBSb290IENBMzCCAiIwDQYJKoZIhvcNAQEBBQADggIPADCCAgoCggIBAKjyAZ2Lg8kHoIX7JLc3BeZ1Tzy9MEv7Bnr59xcJezc/xJJdO4V3bwMltKFfNvqsQ5H/GQADFJ0GmTLLPDI5AoeUjBubRZ9hwruUuQ11+vhtoVhuEuZUxofEIU2yJtiSOONwpo/GIb9C4YZ5h+7ltDpC3MvsFyyordpzgwqSHvFwTCmls5SpU05UbF7ZVPcfVf24A5IgHLpZTgQfAvnzPlm++eJY+sNoNzTBoe6iZphmPbxuPNcJ6slV8qMQQk50/g+KmoPpHX4AvoTr4/7TMTvuK8jS1dEn+fdVKdx9qo9ZZRHFW/TXEn5SrNUu99xhzlE/WBurrVwFoKCWCjmO0CnekJlw0NTr3HBTG5D4AiDjNFUYaIcGJk/ha9rzHzY+WpGdoFZxhbP83ZGeoqkgBr8UzfOFCY8cyUN2db6hpIaK6Nuoho6QWnn+TSNh5Hjui5miqpGxS73gYlT2Qww16h8gFTJQ49fiS+QHlwRw5cqFuqfFLE3nFFF9KIamS4TSe7T4dNGY2VbHzpaGVT4wy+fl7gWsfaUkvhM4b00DzgDiJ9BHiKytNLmzoa3Sneij/CKur0dJ5OdMiAqUpSd0Oe8pdIbmQm1oP5cjckiQjxx7+vSxWtacpGowWK8+7oEsYc+7fLt3GD6q/O5Xi440Pd/sFJmfqRf3C1PPMdBqXcwjAgMBAAGjgbswgbgwDgYDVR0PAQH/BAQDAgEGMA8GA1UdEwEB/wQFMAMBAf8wQgYDVR0gBDswOTA3BgVgOAoBATAuMCwGCCsGAQUFBwIBFiBodHRwOi8vcmVwb3NpdG9yeS5laWQuYmVsZ2l1bS5iZTAdBgNVHQ4EFgQUuLxsAI9bGYWdJQGc8BncQI7QOCswEQYJYIZIAYb4QgEBBAQDAgAHMB8GA1UdIwQYMBaAFLi8bACPWxmFnSUBnPAZ3ECO0DgrMA0GCSqGSIb3DQEBBQUAA4ICAQBFYjv/mKX+VcyxEacckgx4L8XvFkIFPXzjEnDnAtCCkROU/k5n1jjVK+ODOn+Q4kJg6Nd7K47+zTXcrSe1tB2gVMsyaCN9scy4phLX1qT48sThCjUtooxfIoRycpdlf14HcUPCYlASTCapZU0MnAbzfpzxm49Ik/A2JWxAhxXVRHwOu3TMGiQ4W/VyVawxjwQMO8TneBDombmkXsI9bI0OxWUh2A5dKlqu0sYvE0dz8xDxr9ZkmZqYcPIKizCZlaP1ZsSlCi5S31gn3EUP+fd21q6ZXgU+50/qgoh/0UUaHRpedPQBES/FYc2IQZ2XjhmeTwM+9Lk7tnzHeHp3dgCoOfceyPUaVkWiXMWcNAvvkDVELvXfJpRxwcRfS5Ks5oafOfj81RzGUbmpwl2usOeCRwdWE8gPvbfWNQQC8MJquDl5HdeuzUesTXUqXeEkyAOo6YnF3g0qGcLI9NXusji1egRUZ7B4XCvG52lTB7Wgd/wVFzS3f4mAmYTGJXH+N/lrBBGKuTJ5XncJaliFUKxGP6VmNyaaLUF5IlTqC9CGHPLSXOgDokt2G9pNwFm2t7AcpwAmegkMNpgcgTd+qk2yljEaT8wf953jUAFedbpN3tX/3i+uvHOOmWjQOxJg2lVKkC+bkWa2FrTBDdrlEWVaLrY+M+xeIctrC0WnP7u4xg==',
  },
];

/**
 * The issuing CAs of cards now in use whose certificates we have byte for
 * byte (published with the official eID middleware's documentation of
 * applet 1.8 cards). Cards under another issuing CA need it configured
 * (EID_BRIDGE_TRUSTED_ROOTS) or fetched from their certificate's address.
 */
export const BELGIAN_ISSUING_CAS: readonly BuiltInIssuingCa[] = [
  {
    name: 'Citizen CA 202002',
    description: 'EC P-384, 2020–2032; Belgian citizens, applet 1.8 cards',
    issuer: 'Belgium Root CA6',
    sha256: '782873E7081A18E42012C11C6445DAA92FBD3FF9E8882B4DDDA55D8FF8F7D6C1',
    der:
      'MIIEmjCCBCCgAwIBAgIULtbkYSnFlNDu9AHhjDYrOy+HmyswCgYIKoZIzj0EAwMwgeAxCzAJBgNVBAYTAkJFMREwDwYDVQQHDAhCcnVzc2VsczEwMC4GA1UECgwnS2luZ2RvbSBvZiBCZWxnaXVtIC0gRmVkZXJhbCBHb3Zlcm5tZW50MTYwNAYDVQQLDC1GUFMgSG9tZSBBZmZhaXJzIC0gQklLLUdDSSAoTlRSQkUtMDM2MjQ3NTUzOCkxOTA3BgNVBAsMMEZQUyBQb2xpY3kgYW5kIFN1cHBvcnQgLSBCT1NBIChOVFJCRS0wNjcxNTE2NjQ3KTEZMBcGA1UEAwwQQmVsZ2l1bSBSb290IENBNjAeFw0yMDA2MDMxNjQ4MjNaFw0zMjA2MDMxNjQ4MjNaMIHrMQswCQYDVQQGEwJCRTERMA8GA1UEBwwIQnJ1c3NlbHMxMDAuBgNVBAoMJ0tpbmdkb20gb2YgQmVsZ2l1bSAtIEZlZGVyYWwgR292ZXJubWVudDE2MDQGA1UECwwtRlBTIEhvbWUgQWZmYWlycyAtIEJJSy1HQ0kgKE5UUkJFLTAzNjI0NzU1MzgpMTkwNwYDVQQLDDBGUFMgUG9saWN5IGFuZCBTdXBwb3J0IC0gQk9TQSAoTlRSQkUtMDY3MTUxNjY0NykxDzANBgNVBAUTBjIwMjAwMjETMBEGA1UEAwwKQ2l0aXplbiBDQTB2MBAGByqGSM49AgEGBSuBBAAiA2IABGm/xr09IgfifHCbha2pPOKHslYQ2sHivezdP3upkQ/fxpg5iXpQtnN/aa9Kx9SBoUrQX6bMChr6YbFLbHmb9bUH9dL2dD5wRpyspSCEqC9eyUi6t2sfi98IvxKJV7IK3aOCAYwwggGIMBIGA1UdEwEB/wQIMAYBAf8CAQAwHwYDVR0jBBgwFoAULqCIsAsNYonsHT/Un8ySRI5IaUYwewYIKwYBBQUHAQEEbzBtMDYGCCsGAQUFBzAChipodHRwOi8vY3J0LmVpZHBraS5iZWxnaXVtLmJlL2VpZC9icmNhNi5jcnQwMwYIKwYBBQUHMAGGJ2h0dHA6Ly9vY3NwLmVpZHBraS5iZWxnaXVtLmJlL2VpZC9icmNhNjBJBgNVHSAEQjBAMD4GBFUdIAAwNjA0BggrBgEFBQcCARYoaHR0cHM6Ly9yZXBvc2l0b3J5LmVpZHBraS5iZWxnaXVtLmJlL2VpZDAdBgNVHSUEFjAUBggrBgEFBQcDAgYIKwYBBQUHAwQwOwYDVR0fBDQwMjAwoC6gLIYqaHR0cDovL2NybC5laWRwa2kuYmVsZ2l1bS5iZS9laWQvYnJjYTYuY3JsMB0GA1UdDgQWBBSvMdNkTV80uG70wpduAZ1hMphehjAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwMDaAAwZQIwG3A3+oDsuzHkKwCdTpGFiszcHDyfWKOJ0IRw5FNXCIfpTZaBKJcQWhF0WAXv1vhvAjEA93Dsx/I5IR41nwMaV1e7Lkp6OUh7tqMLzCkMPC6TTM/wXbmjffCYG+0IyMDpxqre',
  },
  {
    name: 'Foreigner CA 202001',
    description: 'EC P-384, 2020–2032; foreign residents, applet 1.8 cards',
    issuer: 'Belgium Root CA6',
    sha256: 'E1B9EB40B86A4844453AF2F7908151A7BD26E1C50D367BBB1A179AB4C858D6C3',
    der:
      'MIIEnDCCBCKgAwIBAgIUaiLehgh5xSg56XU+ZxDMS4MXqKAwCgYIKoZIzj0EAwMwgeAxCzAJBgNVBAYTAkJFMREwDwYDVQQHDAhCcnVzc2VsczEwMC4GA1UECgwnS2luZ2RvbSBvZiBCZWxnaXVtIC0gRmVkZXJhbCBHb3Zlcm5tZW50MTYwNAYDVQQLDC1GUFMgSG9tZSBBZmZhaXJzIC0gQklLLUdDSSAoTlRSQkUtMDM2MjQ3NTUzOCkxOTA3BgNVBAsMMEZQUyBQb2xpY3kgYW5kIFN1cHBvcnQgLSBCT1NBIChOVFJCRS0wNjcxNTE2NjQ3KTEZMBcGA1UEAwwQQmVsZ2l1bSBSb290IENBNjAeFw0yMDA2MDMxNzAyMjBaFw0zMjA2MDMxNzAyMjBaMIHtMQswCQYDVQQGEwJCRTERMA8GA1UEBwwIQnJ1c3NlbHMxMDAuBgNVBAoMJ0tpbmdkb20gb2YgQmVsZ2l1bSAtIEZlZGVyYWwgR292ZXJubWVudDE2MDQGA1UECwwtRlBTIEhvbWUgQWZmYWlycyAtIEJJSy1HQ0kgKE5UUkJFLTAzNjI0NzU1MzgpMTkwNwYDVQQLDDBGUFMgUG9saWN5IGFuZCBTdXBwb3J0IC0gQk9TQSAoTlRSQkUtMDY3MTUxNjY0NykxDzANBgNVBAUTBjIwMjAwMTEVMBMGA1UEAwwMRm9yZWlnbmVyIENBMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEBaTG/+k8RT2gEmk+iDpP3X9Xg+CbwriQe/QY5niwS5rOmyniY57VwhXnqb5dqZH0ilqAoteVqn57uY6KBsPxLBnYHaQEbkinKpkPNITjN+N0bgDHmx5G48r5vH04bIdbo4IBjDCCAYgwEgYDVR0TAQH/BAgwBgEB/wIBADAfBgNVHSMEGDAWgBQuoIiwCw1iiewdP9SfzJJEjkhpRjB7BggrBgEFBQcBAQRvMG0wNgYIKwYBBQUHMAKGKmh0dHA6Ly9jcnQuZWlkcGtpLmJlbGdpdW0uYmUvZWlkL2JyY2E2LmNydDAzBggrBgEFBQcwAYYnaHR0cDovL29jc3AuZWlkcGtpLmJlbGdpdW0uYmUvZWlkL2JyY2E2MEkGA1UdIARCMEAwPgYEVR0gADA2MDQGCCsGAQUFBwIBFihodHRwczovL3JlcG9zaXRvcnkuZWlkcGtpLmJlbGdpdW0uYmUvZWlkMB0GA1UdJQQWMBQGCCsGAQUFBwMCBggrBgEFBQcDBDA7BgNVHR8ENDAyMDCgLqAshipodHRwOi8vY3JsLmVpZHBraS5iZWxnaXVtLmJlL2VpZC9icmNhNi5jcmwwHQYDVR0OBBYEFBLZ4BaK1CNRXGWnabejUGtffs79MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAwNoADBlAjB4tSBFr+ION0g5DXliWS13o/d4Glkv6H5zFdxeTiJpESjbIJJQuvUOMOGSos0cOBQCMQColrsRje7ObUm/kO1JAMWLXI8LB6f3xXnbBKcSyxbIwzMxaVnQPfuMYD2T2XTTMJs=',
  },
];

/**
 * The hosts the real Belgian certificates name for their issuer (AIA
 * caIssuers) and their OCSP responder: the only hosts the backend asks when
 * it follows an address found in a certificate.
 */
export const BELGIAN_PKI_HOSTS: readonly string[] = ['crt.eidpki.belgium.be', 'ocsp.eidpki.belgium.be', 'certs.eid.belgium.be', 'ocsp.eid.belgium.be'];

export interface TrustedRoot {
  certificate: X509Certificate;
  /** "built-in: Belgium Root CA6" or the file it came from */
  source: string;
  builtIn: boolean;
}

export interface TrustedRootSet {
  roots: TrustedRoot[];
  /** Configured files that could not be read or held no certificate. */
  problems: string[];
}

export const TRUSTED_ROOTS_ENV = 'EID_BRIDGE_TRUSTED_ROOTS';

function sha256Hex(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase();
}

/** The built-in Belgian roots, each checked against its fingerprint. */
export function builtInRoots(): TrustedRoot[] {
  return BELGIAN_ROOTS.map((root) => {
    const certificate = new X509Certificate(Buffer.from(root.der, 'base64'));
    if (sha256Hex(certificate.raw) !== root.sha256) {
      throw new Error(`Built-in root "${root.name}" does not match its fingerprint`);
    }
    return { certificate, source: `built-in: ${root.name}`, builtIn: true };
  });
}

/** The built-in issuing CAs, each checked against its fingerprint and its root's signature. */
export function builtInIssuingCas(): X509Certificate[] {
  const roots = builtInRoots();
  return BELGIAN_ISSUING_CAS.map((ca) => {
    const certificate = new X509Certificate(Buffer.from(ca.der, 'base64'));
    if (sha256Hex(certificate.raw) !== ca.sha256) throw new Error(`Built-in CA "${ca.name}" does not match its fingerprint`);
    const signedByItsRoot = roots.some((r) => r.source === `built-in: ${ca.issuer}` && certificate.checkIssued(r.certificate) && certificate.verify(r.certificate.publicKey));
    if (!signedByItsRoot) throw new Error(`Built-in CA "${ca.name}" is not signed by ${ca.issuer}`);
    return certificate;
  });
}

/** Every certificate in a PEM bundle, or the one DER certificate. */
export function parseCertificateFile(bytes: Uint8Array): X509Certificate[] {
  const text = Buffer.from(bytes).toString('latin1');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (blocks) return blocks.map((block) => new X509Certificate(block));
  return [new X509Certificate(Buffer.from(bytes))];
}

async function certificatesAt(path: string): Promise<{ certificates: Array<{ certificate: X509Certificate; file: string }>; problems: string[] }> {
  const problems: string[] = [];
  const certificates: Array<{ certificate: X509Certificate; file: string }> = [];
  let files: string[];
  try {
    const info = await stat(path);
    files = info.isDirectory()
      ? (await readdir(path)).filter((f) => /\.(pem|crt|cer|der)$/i.test(f)).sort().map((f) => join(path, f))
      : [path];
  } catch {
    return { certificates, problems: [`Trusted root path "${path}" does not exist`] };
  }
  for (const file of files) {
    try {
      for (const certificate of parseCertificateFile(new Uint8Array(await readFile(file)))) {
        certificates.push({ certificate, file });
      }
    } catch {
      problems.push(`"${file}" holds no readable certificate`);
    }
  }
  return { certificates, problems };
}

export interface LoadTrustedRootsOptions {
  /** Read EID_BRIDGE_TRUSTED_ROOTS from here (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Extra certificate files or directories (the CLI's --trust). */
  extraPaths?: readonly string[];
  /** Leave the real Belgian roots out (tests of the configuration only). */
  withoutBuiltIn?: boolean;
}

/**
 * The built-in Belgian roots plus whatever is configured: EID_BRIDGE_TRUSTED_ROOTS
 * (a PEM/DER file or a directory; several separated by the path delimiter) and
 * `extraPaths`.
 */
export async function loadTrustedRoots(options: LoadTrustedRootsOptions = {}): Promise<TrustedRootSet> {
  const env = options.env ?? process.env;
  const roots = options.withoutBuiltIn ? [] : builtInRoots();
  const problems: string[] = [];
  const configured = (env[TRUSTED_ROOTS_ENV] ?? '')
    .split(delimiter)
    .map((p) => p.trim())
    .filter(Boolean);
  for (const path of [...configured, ...(options.extraPaths ?? [])]) {
    const found = await certificatesAt(path);
    problems.push(...found.problems);
    for (const { certificate, file } of found.certificates) {
      if (roots.some((r) => r.certificate.fingerprint256 === certificate.fingerprint256)) continue;
      roots.push({ certificate, source: file, builtIn: false });
    }
  }
  return { roots, problems };
}
