/**
 * Common passwords, refused as new passwords (NIST SP 800-63B: check against a list of
 * commonly used values). Compared in lower case, after trimming; the check also
 * refuses one character repeated and plain digit or keyboard sequences.
 */
const COMMON_PASSWORDS = new Set<string>([
  '0000', '000000', '0123456789', '0987654321', '1111', '11111', '111111', '11111111', '1111111111', '112233',
  '11223344', '121212', '123123', '123123123', '123321', '1234', '12341234', '12344321', '12345', '123456',
  '1234567', '12345678', '123456789', '1234567890', '123456789a', '123456a', '1234abcd', '1234qwer', '123654',
  '123abc', '123qwe', '123qweasd', '131313', '159753', '1password', '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx', '1qazxsw2',
  '2000', '222222', '232323', '333333', '555555', '654321', '666666', '696969', '777777', '7777777', '8675309',
  '87654321', '888888', '88888888', '987654', '987654321', '9876543210', '999999', 'a123456', 'a1b2c3d4', 'aa123456',
  'aaaaaa', 'aaaaaaaa', 'abc123', 'abc12345', 'abc123456', 'abcd1234', 'abcdef', 'abcdef123', 'abcdefgh', 'access',
  'adidas', 'admin', 'admin123', 'administrator', 'amanda', 'andrea', 'andrew', 'angel', 'anthony', 'antwerpen',
  'arsenal', 'asdfasdf', 'asdfgh', 'asdfghjkl', 'ashley', 'austin', 'azerty', 'azerty123', 'azertyuiop', 'badboy',
  'bailey', 'banana', 'barney', 'baseball', 'baseball1', 'batman', 'belgie', 'belgique', 'belgium',
  'bigdog', 'bonjour', 'booboo', 'boomer', 'boston', 'brandon', 'brandy', 'brussel', 'bruxelles',
  'bulldog', 'buster', 'camaro', 'casper', 'changeme', 'changeme123', 'charles', 'charlie', 'charlie1', 'cheese',
  'chelsea', 'chester', 'chicago', 'chicken', 'chris', 'cocacola', 'coffee', 'compaq', 'computer', 'computer1',
  'cookie', 'corvette', 'cowboy', 'cowboys', 'crystal', 'dakota', 'dallas', 'daniel', 'default', 'diablo', 'diamond',
  'dragon', 'dragon123', 'eagles', 'edward', 'enter', 'falcon', 'fender', 'ferrari', 'fishing', 'flower', 'football',
  'football1', 'football123', 'forever', 'freedom', 'gandalf', 'gateway', 'geheim', 'geheim123', 'gent', 'george',
  'gfhjkm', 'ghbdtn', 'ginger', 'golden', 'golfer', 'guest', 'guitar', 'hammer', 'hannah', 'harley',
  'heather', 'hello', 'hello123', 'hockey', 'hunter', 'iceman', 'iloveyou', 'iloveyou!', 'iloveyou1', 'internet',
  'internet1', 'jackson', 'james', 'jasmine', 'jasper', 'jennifer', 'jessica', 'jessica1', 'johnny', 'jordan',
  'joseph', 'joshua', 'junior', 'justin', 'killer', 'klaster', 'knight', 'lakers', 'letmein', 'letmein1',
  'letmeinnow', 'liege', 'london', 'love', 'maggie', 'marina', 'marine', 'marlboro', 'martin', 'master', 'master123',
  'matrix', 'matthew', 'maverick', 'melissa', 'mercedes', 'merlin', 'michael', 'michael1', 'michelle', 'mickey',
  'midnight', 'mike', 'miller', 'money', 'monkey', 'monkey123', 'monster', 'morgan', 'motdepasse', 'motdepasse1',
  'mother', 'music', 'mustang', 'mypassword', 'mypassword1', 'nascar', 'natasha', 'ncc1701', 'newpassword', 'nicole',
  'nikita', 'oliver', 'orange', 'p@ssw0rd', 'p@ssword', 'pass', 'passpass', 'passw0rd', 'password',
  'password1', 'password12', 'password123', 'passwort', 'passwort1', 'patrick', 'peanut', 'pepper', 'phoenix',
  'player', 'please', 'porsche', 'prince', 'princess', 'princess1', 'purple', 'q1w2e3r4', 'q1w2e3r4t5', 'qazwsx',
  'qwe123', 'qwer1234', 'qwerty', 'qwerty1', 'qwerty123', 'qwertyqwerty', 'qwertyui', 'qwertyuiop', 'rabbit',
  'rachel', 'raiders', 'ranger', 'rangers', 'redsox', 'richard', 'robert', 'root', 'samantha', 'samsung', 'scooby',
  'scooter', 'secret', 'secret123', 'shadow', 'shadow1', 'silver', 'slayer', 'smokey', 'snoopy', 'soccer',
  'soleil', 'sparky', 'spider', 'starwars', 'starwars1', 'steelers', 'steven', 'summer', 'sunshine', 'sunshine1',
  'superman', 'superman1', 'taylor', 'tennis', 'test', 'thomas', 'thunder', 'tigers', 'tigger', 'toor', 'trustno1',
  'trustno1!', 'victoria', 'wachtwoord', 'wachtwoord1', 'wachtwoord123', 'welcome', 'welcome1', 'welcome123',
  'whatever', 'william', 'winner', 'winter', 'wizard', 'xxxxxx', 'yamaha', 'yankees', 'yellow', 'zaq12wsx',
  'zaq1zaq1', 'zxcvbn', 'zxcvbnm',
]);

const SEQUENCES = ['0123456789', '9876543210', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'azertyuiop', 'asdfghjkl', 'zxcvbnm'];

export function isCommonPassword(password: string): boolean {
  const p = password.trim().toLowerCase();
  if (COMMON_PASSWORDS.has(p)) return true;
  if (/^(.)\1*$/.test(p)) return true;
  // Digits or letters taken straight from a keyboard row or the alphabet, e.g. "23456789".
  if (SEQUENCES.some((s) => s.includes(p))) return true;
  return false;
}
