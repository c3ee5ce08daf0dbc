/**
 * The schema, as numbered migrations applied in order and recorded in
 * schema_migrations. Never edit a released migration: add the next one.
 * Plain SQL that SQLite and PostgreSQL both accept, apart from the
 * autoincrement key (INTEGER PRIMARY KEY), so a PostgreSQL store can follow.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'persons, keys, sessions, codes, activation codes, outbox',
    sql: `
CREATE TABLE persons (
  id INTEGER PRIMARY KEY,
  national_number TEXT NOT NULL UNIQUE,
  given_names TEXT NOT NULL DEFAULT '',
  surname TEXT NOT NULL DEFAULT '',
  email TEXT UNIQUE,
  phone TEXT,
  language TEXT NOT NULL DEFAULT 'nl',
  created_at INTEGER NOT NULL
);
CREATE TABLE passwords (
  person_id INTEGER PRIMARY KEY REFERENCES persons(id) ON DELETE CASCADE,
  username TEXT NOT NULL,
  username_key TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE code_keys (
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'sms', 'totp')),
  totp_secret TEXT,
  totp_last_step INTEGER,
  activated_at INTEGER NOT NULL,
  PRIMARY KEY (person_id, kind)
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  person_id INTEGER REFERENCES persons(id) ON DELETE CASCADE,
  level INTEGER NOT NULL DEFAULT 0,
  method TEXT,
  auth_time INTEGER,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_person ON sessions(person_id);
CREATE TABLE challenge_nonces (
  session_hash TEXT PRIMARY KEY,
  nonce TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE pending_requests (
  id TEXT PRIMARY KEY,
  session_hash TEXT NOT NULL,
  person_id INTEGER REFERENCES persons(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL,
  code_hash TEXT,
  payload TEXT NOT NULL DEFAULT '{}',
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE account_failures (
  person_id INTEGER PRIMARY KEY REFERENCES persons(id) ON DELETE CASCADE,
  failures INTEGER NOT NULL,
  locked_until INTEGER NOT NULL
);
CREATE TABLE ip_failures (
  ip TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX ip_failures_ip ON ip_failures(ip, at);
CREATE TABLE activation_codes (
  id TEXT PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  link_token_hash TEXT NOT NULL UNIQUE,
  code_hash TEXT NOT NULL,
  email TEXT NOT NULL,
  created_by TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'enterprise register stand-in, access managers, HTB requests, mandates',
    sql: `
CREATE TABLE register_enterprises (
  enterprise_number TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE register_representatives (
  enterprise_number TEXT NOT NULL REFERENCES register_enterprises(enterprise_number) ON DELETE CASCADE,
  national_number TEXT NOT NULL,
  given_names TEXT NOT NULL DEFAULT '',
  surname TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (enterprise_number, national_number)
);
CREATE TABLE access_enterprises (
  enterprise_number TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  registered_at INTEGER NOT NULL
);
CREATE TABLE access_managers (
  id INTEGER PRIMARY KEY,
  enterprise_number TEXT NOT NULL REFERENCES access_enterprises(enterprise_number) ON DELETE CASCADE,
  national_number TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('htb', 'co-htb', 'tb')),
  domain TEXT NOT NULL DEFAULT '',
  email TEXT,
  phone TEXT,
  appointed_by TEXT NOT NULL,
  appointed_at INTEGER NOT NULL,
  UNIQUE (enterprise_number, national_number, role, domain)
);
CREATE INDEX access_managers_person ON access_managers(national_number);
CREATE TABLE access_domain_contacts (
  enterprise_number TEXT NOT NULL REFERENCES access_enterprises(enterprise_number) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  email TEXT NOT NULL,
  PRIMARY KEY (enterprise_number, domain)
);
CREATE TABLE access_log (
  id INTEGER PRIMARY KEY,
  enterprise_number TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  at INTEGER NOT NULL
);
CREATE INDEX access_log_enterprise ON access_log(enterprise_number, at);
CREATE TABLE htb_requests (
  ticket TEXT PRIMARY KEY,
  pdf_token_hash TEXT NOT NULL,
  enterprise_number TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'received', 'approved', 'rejected')),
  reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE mandates (
  id TEXT PRIMARY KEY,
  giver_type TEXT NOT NULL CHECK (giver_type IN ('citizen', 'enterprise')),
  giver_id TEXT NOT NULL,
  holder_type TEXT NOT NULL CHECK (holder_type IN ('citizen', 'enterprise')),
  holder_id TEXT NOT NULL,
  mandate_type TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT,
  giver_signed_by TEXT,
  giver_signed_at INTEGER,
  holder_signed_by TEXT,
  holder_signed_at INTEGER,
  stopped_by TEXT,
  stopped_at INTEGER,
  replaced_by TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX mandates_giver ON mandates(giver_type, giver_id);
CREATE INDEX mandates_holder ON mandates(holder_type, holder_id);
`,
  },
  {
    version: 3,
    name: 'lift the permanent account locks: every lock now ends with time (security/throttle.ts)',
    sql: `UPDATE account_failures SET locked_until = 0 WHERE locked_until >= 9007199254740991;`,
  },
  {
    version: 4,
    name: 'mandate extensions wait for the other side (access/mandates.ts)',
    sql: `
ALTER TABLE mandates ADD COLUMN extension_end_date TEXT;
ALTER TABLE mandates ADD COLUMN extension_side TEXT CHECK (extension_side IN ('giver', 'holder'));
ALTER TABLE mandates ADD COLUMN extension_by TEXT;
ALTER TABLE mandates ADD COLUMN extension_at INTEGER;
`,
  },
];
